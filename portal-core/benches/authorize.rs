//! `authorize` over a random mix of roles, permissions and resources, in worlds of 10, 1,000 and
//! 100,000 tenants (three clients each). The time of a decision must not grow with the number of
//! tenants or roles: a scope carries its own permission set, so nothing is looked up by tenant.
//!
//! Run with `cargo bench -p portal-core --bench authorize`.

use std::hint::black_box;

use criterion::{BenchmarkId, Criterion, criterion_group, criterion_main};
use portal_core::{
    BuiltinRole, ClientId, Membership, MembershipKind, Permission, ResourceFacts, Sensitivity,
    Side, TenantId, TenantScope, UserId, Visibility, authorize,
};
use rand::rngs::StdRng;
use rand::{Rng, SeedableRng};

const CLIENTS_PER_TENANT: usize = 3;
/// Decisions prepared per world; a power of two so the loop index wraps with a mask.
const QUERIES: usize = 1 << 14;

struct Query {
    scope: TenantScope,
    permission: Permission,
    facts: ResourceFacts,
}

fn world(tenants: usize, rng: &mut StdRng) -> Vec<Query> {
    let ids: Vec<(TenantId, [ClientId; CLIENTS_PER_TENANT])> = (0..tenants)
        .map(|_| {
            (
                TenantId::new(),
                [ClientId::new(), ClientId::new(), ClientId::new()],
            )
        })
        .collect();
    let pick = |rng: &mut StdRng| &ids[rng.random_range(0..ids.len())];
    (0..QUERIES)
        .map(|_| {
            let (tenant, clients) = pick(rng);
            let role = BuiltinRole::ALL[rng.random_range(0..BuiltinRole::ALL.len())];
            let kind = match role.side() {
                Side::Staff => MembershipKind::Staff {
                    assigned_clients: vec![clients[rng.random_range(0..CLIENTS_PER_TENANT)]],
                },
                Side::Client => MembershipKind::Contact {
                    client: clients[rng.random_range(0..CLIENTS_PER_TENANT)],
                },
            };
            let scope = TenantScope::from_membership(&Membership {
                tenant: *tenant,
                user: UserId::new(),
                permissions: role.default_permissions(),
                kind,
            })
            .unwrap_or_else(|_| TenantScope::dangerous_system(*tenant));
            // Mostly the asker's own tenant, sometimes another one (an id guessed or leaked).
            let (facts_tenant, facts_clients) = if rng.random_bool(0.8) {
                (*tenant, *clients)
            } else {
                *pick(rng)
            };
            let client = if rng.random_bool(0.85) {
                Some(facts_clients[rng.random_range(0..CLIENTS_PER_TENANT)])
            } else {
                None
            };
            let facts = ResourceFacts {
                tenant: facts_tenant,
                client,
                visibility: if rng.random_bool(0.7) {
                    Visibility::Shared
                } else {
                    Visibility::Internal
                },
                sensitivity: if rng.random_bool(0.1) {
                    Sensitivity::Finance
                } else {
                    Sensitivity::Ordinary
                },
            };
            let permission = Permission::ALL[rng.random_range(0..Permission::ALL.len())];
            Query {
                scope,
                permission,
                facts,
            }
        })
        .collect()
}

fn bench_authorize(c: &mut Criterion) {
    let mut group = c.benchmark_group("authorize");
    let mut rng = StdRng::seed_from_u64(0x5EED);
    for tenants in [10, 1_000, 100_000] {
        let queries = world(tenants, &mut rng);
        let allowed = queries
            .iter()
            .filter(|q| authorize(&q.scope, q.permission, &q.facts).is_allowed())
            .count();
        eprintln!("{tenants} tenants: {allowed} of {QUERIES} sample decisions allow");
        group.bench_with_input(
            BenchmarkId::new("tenants", tenants),
            &queries,
            |b, queries| {
                let mut index = 0;
                b.iter(|| {
                    index = (index + 1) & (QUERIES - 1);
                    let query = &queries[index];
                    authorize(
                        black_box(&query.scope),
                        black_box(query.permission),
                        black_box(&query.facts),
                    )
                });
            },
        );
    }
    group.finish();
}

criterion_group!(benches, bench_authorize);
criterion_main!(benches);
