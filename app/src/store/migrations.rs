//! The schema migrations, compiled into the binary (a deployed App has no source tree) and
//! run through sqlx's migrator, which records what ran and, on PostgreSQL, takes an
//! advisory lock so replicas starting together migrate once.

use std::borrow::Cow;
use std::future::Future;
use std::pin::Pin;

use sqlx::error::BoxDynError;
use sqlx::migrate::{Migration, MigrationSource, MigrationType, Migrator};
use sqlx::AnyPool;

/// (version, description, SQL), in order. Never edit a released one: add the next.
const MIGRATIONS: &[(i64, &str, &str)] =
    &[(1, "gates", include_str!("../../migrations/0001_gates.sql"))];

#[derive(Debug)]
struct Embedded;

impl<'s> MigrationSource<'s> for Embedded {
    fn resolve(
        self,
    ) -> Pin<Box<dyn Future<Output = Result<Vec<Migration>, BoxDynError>> + Send + 's>> {
        Box::pin(async {
            Ok(MIGRATIONS
                .iter()
                .map(|(version, description, sql)| {
                    Migration::new(
                        *version,
                        Cow::Borrowed(*description),
                        MigrationType::Simple,
                        Cow::Borrowed(*sql),
                        false,
                    )
                })
                .collect())
        })
    }
}

/// Applies the migrations not yet applied.
pub(super) async fn run(pool: &AnyPool) -> Result<(), sqlx::migrate::MigrateError> {
    let migrator = Migrator::new(Embedded).await?;
    migrator.run(pool).await
}
