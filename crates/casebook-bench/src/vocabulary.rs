//! Word lists of the synthetic corpus, most frequent first (the generator draws them with
//! Zipf weights, so term statistics look like real prose).

pub const ITALIAN: &str = "innovazione progetto impresa sistema dati piattaforma servizio clienti processo produzione digitale \
sviluppo tecnologia soluzione gestione rete prodotti qualità tempo costi energia mercato territorio lavoro sostenibilità \
formazione ricerca partner comune regione pazienti ospedale sanità filiera logistica magazzino trasporto mobilità città \
cittadini scuola studenti docenti università laboratorio sensori macchine impianto stabilimento controllo monitoraggio \
analisi modello algoritmo intelligenza artificiale automazione robot software cloud sicurezza informatica pagamenti \
credito banca assicurazione turismo museo cultura patrimonio visitatori agricoltura coltivazione raccolto vino olio \
formaggio latte allevamento acqua rifiuti riciclo economia circolare emissioni consumi risparmio efficienza edificio \
cantiere costruzione progettazione manutenzione previsione domanda offerta ordine consegna spedizione negozio vendita \
commercio elettronico canale app utente esperienza interfaccia accesso identità documento pratica pubblica amministrazione \
ufficio sportello richiesta risposta risultato obiettivo sfida crescita aumento riduzione percentuale anno mese giorno \
settimana ore minuti squadra persone competenze fornitori distretto cluster startup investimento finanziamento bando \
premio evento tappa edizione giuria valutazione misura indicatore cruscotto report visualizzazione mappa geolocalizzazione \
satellite drone veicolo elettrico batteria accumulo fotovoltaico rinnovabile idrogeno calore pompa illuminazione traffico \
parcheggio semaforo bicicletta condivisione prenotazione telemedicina televisita telemonitoraggio diagnosi terapia cura \
assistenza anziani famiglie comunità associazione volontari inclusione accessibilità disabilità lingua contenuti video \
podcast editoria giornale archivio biblioteca catalogo ricerca motore tracciabilità blockchain certificazione conformità \
normativa privacy protezione attacco vulnerabilità difesa backup continuità rischio frode scoring portafoglio risparmiatori";

pub const ENGLISH: &str = "innovation project company system data platform service customers process production digital \
development technology solution management network products quality time costs energy market region work sustainability \
training research partners municipality patients hospital health supply chain logistics warehouse transport mobility city \
citizens school students teachers university laboratory sensors machines plant factory control monitoring analysis model \
algorithm artificial intelligence automation robots software cloud security cyber payments credit bank insurance tourism \
museum culture heritage visitors agriculture farming harvest wine oil cheese milk livestock water waste recycling circular \
economy emissions consumption savings efficiency building site construction design maintenance forecast demand supply \
order delivery shipping shop sales commerce online channel app user experience interface access identity document \
public administration office request answer result goal challenge growth increase reduction percent year month day week \
hours minutes team people skills suppliers district cluster startup investment funding call award event stage edition \
jury assessment measure indicator dashboard report visualisation map satellite drone vehicle electric battery storage \
solar renewable hydrogen heat pump lighting traffic parking bicycle sharing booking telemedicine remote monitoring \
diagnosis therapy care elderly families community association volunteers inclusion accessibility disability language \
content video podcast publishing newspaper archive library catalogue search engine traceability blockchain certification \
compliance regulation privacy protection attack vulnerability defence continuity risk fraud scoring portfolio savers";

pub const ITALIAN_GLUE: &str =
    "il la di e per con che un una dei delle nel nella alla al da in su tra più anche come sono è ha";
pub const ENGLISH_GLUE: &str = "the a of and to in for with that on is are by from as its their has was more than into";

pub const TAGS: &[&str] = &[
    "intelligenza artificiale",
    "IoT",
    "cloud",
    "blockchain",
    "machine learning",
    "realtà virtuale",
    "realtà aumentata",
    "telemedicina",
    "big data",
    "digital twin",
    "cybersecurity",
    "economia circolare",
    "energia rinnovabile",
    "app mobile",
    "open data",
    "e-commerce",
    "robotica",
    "droni",
    "5G",
    "industria 4.0",
    "smart grid",
    "tracciabilità",
    "fintech",
    "edtech",
    "mobilità sostenibile",
    "efficienza energetica",
    "sensori",
    "automazione",
    "PMI",
    "pubblica amministrazione",
    "artificial intelligence",
    "virtual reality",
    "telehealth",
    "predictive maintenance",
    "renewable energy",
    "logistics",
    "SME",
    "smart city",
    "data platform",
    "computer vision",
    "agritech",
    "insurtech",
    "proptech",
    "GDPR",
    "accessibility",
];

pub const ORG_PREFIX: &[&str] = &[
    "Alfa",
    "Borealis",
    "Campanile",
    "Dolomia",
    "Etruria",
    "Faro",
    "Galileo",
    "Helios",
    "Insubria",
    "Laguna",
    "Maestrale",
    "Nuraghe",
    "Orobica",
    "Padana",
    "Quercia",
    "Ravenna",
    "Scirocco",
    "Tirreno",
    "Umbra",
    "Vesuvia",
    "Zefiro",
    "Adria",
    "Brenta",
    "Cimbra",
    "Daunia",
    "Eridano",
    "Felsina",
    "Garda",
    "Irpinia",
    "Lario",
    "Murgia",
    "Nebrodi",
    "Ofanto",
];
pub const ORG_CORE: &[&str] = &[
    "Tech",
    "Digitale",
    "Data",
    "Energia",
    "Logistica",
    "Salute",
    "Lab",
    "Systems",
    "Solutions",
    "Innovazione",
    "Servizi",
    "Robotics",
    "Mobility",
    "Agri",
    "Cloud",
    "Security",
    "Media",
    "Costruzioni",
    "Finance",
    "Retail",
    "Edu",
    "Travel",
];
pub const ORG_SUFFIX: &[&str] =
    &["S.r.l.", "S.p.A.", "Srl", "S.c.a.r.l.", "Società Benefit", "Cooperativa", "Consorzio"];

/// Italian regions (taxonomy names), their share of cases, and some cities.
pub const ITALIAN_REGIONS: &[(&str, f64, &[&str])] = &[
    ("Lombardia", 18.0, &["Milano", "Bergamo", "Brescia", "Monza", "Como", "Pavia"]),
    ("Lazio", 9.0, &["Roma", "Latina", "Viterbo"]),
    ("Campania", 8.0, &["Napoli", "Salerno", "Caserta"]),
    ("Veneto", 8.0, &["Padova", "Verona", "Venezia", "Vicenza", "Treviso"]),
    ("Emilia-Romagna", 8.0, &["Bologna", "Modena", "Parma", "Reggio Emilia"]),
    ("Piemonte", 7.0, &["Torino", "Novara", "Cuneo"]),
    ("Toscana", 6.0, &["Firenze", "Pisa", "Siena"]),
    ("Puglia", 5.0, &["Bari", "Lecce", "Taranto"]),
    ("Sicilia", 5.0, &["Palermo", "Catania", "Messina"]),
    ("Liguria", 3.0, &["Genova", "La Spezia"]),
    ("Marche", 3.0, &["Ancona", "Pesaro"]),
    ("Friuli-Venezia Giulia", 3.0, &["Trieste", "Udine", "Pordenone"]),
    ("Trentino-Alto Adige", 3.0, &["Trento", "Bolzano"]),
    ("Sardegna", 2.0, &["Cagliari", "Sassari"]),
    ("Calabria", 2.0, &["Cosenza", "Reggio Calabria"]),
    ("Abruzzo", 2.0, &["Pescara", "L'Aquila"]),
    ("Umbria", 1.5, &["Perugia", "Terni"]),
    ("Basilicata", 1.0, &["Potenza", "Matera"]),
    ("Molise", 0.5, &["Campobasso"]),
    ("Valle d'Aosta", 0.5, &["Aosta"]),
];

/// Regions outside Italy: (ISO code, region as written, city).
pub const FOREIGN_REGIONS: &[(&str, &str, &str)] = &[
    ("DE", "Bayern", "München"),
    ("DE", "Berlin", "Berlin"),
    ("FR", "Île-de-France", "Paris"),
    ("FR", "Occitanie", "Toulouse"),
    ("ES", "Cataluña", "Barcelona"),
    ("ES", "Comunidad de Madrid", "Madrid"),
    ("NL", "Noord-Holland", "Amsterdam"),
    ("AT", "Wien", "Wien"),
    ("CH", "Ticino", "Lugano"),
    ("BE", "Bruxelles", "Bruxelles"),
    ("PT", "Lisboa", "Lisboa"),
    ("SI", "Osrednjeslovenska", "Ljubljana"),
];

pub const SECTOR_WEIGHTS: &[(&str, f64)] = &[
    ("ict", 12.0),
    ("manufacturing", 11.0),
    ("health", 10.0),
    ("agrifood", 8.0),
    ("energy", 8.0),
    ("smart-city", 7.0),
    ("retail", 6.0),
    ("finance", 6.0),
    ("public-sector", 6.0),
    ("education", 5.0),
    ("tourism", 5.0),
    ("logistics", 5.0),
    ("media", 4.0),
    ("construction", 4.0),
    ("cybersecurity", 3.0),
];
