//! Values between the store's portable layer and PostgreSQL: parameters owned to travel to a
//! worker thread, bound as the Rust type of the column type PostgreSQL inferred for each
//! (so an integer may fill a `bigint`, an `integer` or a `boolean`), rows read back as the
//! store's values, and `?1` placeholders written as PostgreSQL's `$1`.

use postgres::types::{ToSql, Type};

use crate::db::{DbError, Param, Row, Value};

/// A parameter owned, to travel to a worker.
#[derive(Debug)]
pub(crate) enum Owned {
    Int(i64),
    Text(String),
    Bytes(Vec<u8>),
    Null,
}

pub(crate) fn owned(params: &[Param<'_>]) -> Vec<Owned> {
    params
        .iter()
        .map(|param| match *param {
            Param::Int(n) => Owned::Int(n),
            // PostgreSQL text cannot hold NUL. No text the store keeps holds one (every field
            // is checked free of control characters), so a lookup key holding one matches
            // nothing here, as it would on SQLite.
            Param::Text(text) if text.contains('\0') => Owned::Text(text.replace('\0', "\u{fffd}")),
            Param::Text(text) => Owned::Text(text.to_string()),
            Param::Bytes(bytes) => Owned::Bytes(bytes.to_vec()),
            Param::Null => Owned::Null,
        })
        .collect()
}

/// `?1` placeholders (SQLite's) as `$1` (PostgreSQL's), outside quoted text.
pub(crate) fn placeholders(sql: &str) -> String {
    let mut out = String::with_capacity(sql.len());
    let mut quoted = false;
    let mut chars = sql.chars().peekable();
    while let Some(c) = chars.next() {
        if c == '\'' {
            quoted = !quoted;
        }
        if c == '?' && !quoted && chars.peek().is_some_and(char::is_ascii_digit) {
            out.push('$');
        } else {
            out.push(c);
        }
    }
    out
}

/// A parameter as the Rust type of the column type PostgreSQL inferred for it.
pub(crate) fn bind(param: Owned, ty: &Type, index: usize) -> Result<Box<dyn ToSql + Sync + Send>, DbError> {
    let mismatch = |found: String| DbError::Type { column: index, expected: "a parameter of the inferred type", found };
    let text_type = [Type::TEXT, Type::VARCHAR, Type::BPCHAR, Type::NAME, Type::UNKNOWN].contains(ty);
    Ok(match param {
        Owned::Null if *ty == Type::INT8 => Box::new(None::<i64>),
        Owned::Null if *ty == Type::INT4 => Box::new(None::<i32>),
        Owned::Null if *ty == Type::INT2 => Box::new(None::<i16>),
        Owned::Null if *ty == Type::BOOL => Box::new(None::<bool>),
        Owned::Null if *ty == Type::BYTEA => Box::new(None::<Vec<u8>>),
        Owned::Null if text_type => Box::new(None::<String>),
        Owned::Int(n) if *ty == Type::INT8 => Box::new(n),
        Owned::Int(n) if *ty == Type::INT4 => {
            Box::new(i32::try_from(n).map_err(|_| mismatch(format!("{n} for {ty}")))?)
        }
        Owned::Int(n) if *ty == Type::INT2 => {
            Box::new(i16::try_from(n).map_err(|_| mismatch(format!("{n} for {ty}")))?)
        }
        Owned::Int(n) if *ty == Type::BOOL => Box::new(n != 0),
        Owned::Text(text) if text_type => Box::new(text),
        Owned::Bytes(bytes) if *ty == Type::BYTEA => Box::new(bytes),
        other => return Err(mismatch(format!("{other:?} for {ty}"))),
    })
}

/// A row of PostgreSQL values as the store's values.
pub(crate) fn read_row(row: &postgres::Row) -> Result<Row, DbError> {
    let mut values = Vec::with_capacity(row.len());
    for (index, column) in row.columns().iter().enumerate() {
        let ty = column.type_();
        let value = if *ty == Type::INT8 {
            row.try_get::<_, Option<i64>>(index)?.map(Value::Int)
        } else if *ty == Type::INT4 {
            row.try_get::<_, Option<i32>>(index)?.map(|n| Value::Int(n.into()))
        } else if *ty == Type::INT2 {
            row.try_get::<_, Option<i16>>(index)?.map(|n| Value::Int(n.into()))
        } else if *ty == Type::BOOL {
            row.try_get::<_, Option<bool>>(index)?.map(|b| Value::Int(b.into()))
        } else if *ty == Type::BYTEA {
            row.try_get::<_, Option<Vec<u8>>>(index)?.map(Value::Bytes)
        } else if [Type::TEXT, Type::VARCHAR, Type::BPCHAR, Type::NAME].contains(ty) {
            row.try_get::<_, Option<String>>(index)?.map(Value::Text)
        } else {
            return Err(DbError::Type { column: index, expected: "a type the store reads", found: ty.to_string() });
        };
        values.push(value.unwrap_or(Value::Null));
    }
    Ok(Row(values))
}

#[cfg(test)]
mod tests {
    use super::placeholders;

    #[test]
    fn placeholders_are_rewritten_outside_quoted_text() {
        assert_eq!(
            placeholders("SELECT ?1, '?2', ?12 FROM t WHERE a = ?3"),
            "SELECT $1, '?2', $12 FROM t WHERE a = $3"
        );
        assert_eq!(placeholders("SELECT '?' || ?1"), "SELECT '?' || $1");
    }
}
