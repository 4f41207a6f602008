//! The coalitions held here: listing, resolving what people type, founding a new one.

use super::*;

/// What a new coalition is founded with.
#[derive(Debug, Clone, Default)]
pub struct NewCoalition {
    /// Name.
    pub name: String,
    /// Unifying frame.
    pub frame: String,
    /// Core values.
    pub values: Vec<String>,
    /// Non-negotiable commitments.
    pub commitments: Vec<String>,
    /// Share of a pool's allocations above which one member is flagged (default 1/2).
    pub equity_threshold: Option<model::Fraction>,
}

/// One line of the coalition list.
#[derive(Debug, Clone, PartialEq, serde::Serialize, serde::Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct CoalitionSummary {
    /// Coalition id.
    #[cfg_attr(feature = "openapi", schema(value_type = String))]
    pub id: CoalitionId,
    /// Name.
    pub name: String,
    /// Number of members.
    pub members: usize,
    /// Number of issues.
    pub issues: usize,
    /// Number of pools.
    pub pools: usize,
    /// Number of proposals.
    pub proposals: usize,
    /// This node's member id in it.
    #[cfg_attr(feature = "openapi", schema(value_type = Option<String>))]
    pub me: Option<MemberId>,
}

use tracing::warn;

impl Replica {
    /// Ids of every coalition held here.
    pub fn coalition_ids(&self) -> Result<Vec<CoalitionId>, ReplicaError> {
        Ok(self
            .store
            .doc_names()?
            .into_iter()
            .filter_map(|n| n.parse().ok())
            .collect())
    }

    /// Loads every coalition held here into memory (the store's snapshot and changes since,
    /// then Automerge's load: seconds for a long history), as a node starting does before its
    /// first work, so that it can be done while the node sets up its network. One that does
    /// not load is left for the read that needs it, which reports why.
    pub fn load_all(&mut self) {
        let ids = match self.coalition_ids() {
            Ok(ids) => ids,
            Err(e) => {
                warn!(error = %e, "could not list the coalitions to load at start");
                return;
            }
        };
        for id in ids {
            if let Err(e) = self.loaded(&id) {
                warn!(coalition = %id, error = %e, "a coalition did not load at start; it is read again when needed");
            }
        }
    }

    /// Resolves a coalition id or unique prefix.
    pub fn resolve(&self, prefix: &str) -> Result<CoalitionId, ReplicaError> {
        let names = self.store.doc_names()?;
        let found = crate::resolve_prefix(prefix, "coalition", names.iter().map(String::as_str))?;
        found.parse().map_err(|e: model::IdError| {
            ReplicaError::Coalition(crate::PrefixError::NotFound {
                what: "coalition",
                given: e.given,
            })
        })
    }

    /// The coalition `given` names (an id or unique prefix); when none is given, the only one
    /// this node holds (and `true`: chosen, not named).
    pub fn resolve_or_only(
        &mut self,
        given: Option<&str>,
    ) -> Result<(CoalitionId, bool), ReplicaError> {
        if let Some(prefix) = given {
            return Ok((self.resolve(prefix)?, false));
        }
        // Counted from the store's names; the documents are read only to list them.
        let mut ids = self.coalition_ids()?;
        match ids.len() {
            0 => Err(ReplicaError::NoCoalition),
            1 => Ok((ids.remove(0), true)),
            count => {
                // Their names alone (no counts): the list a person picks from, by name.
                let mut named = Vec::new();
                for id in ids {
                    if self.is_joining(&id) {
                        continue;
                    }
                    let name = self.loaded(&id)?.doc.name().unwrap_or_default();
                    named.push((name, id));
                }
                named.sort();
                Err(ReplicaError::WhichCoalition {
                    count,
                    list: named
                        .iter()
                        .map(|(name, id)| format!("{} ({name})", id.short()))
                        .collect::<Vec<_>>()
                        .join(", "),
                })
            }
        }
    }

    /// A summary of every coalition held here, by name.
    pub fn coalitions(&mut self) -> Result<Vec<CoalitionSummary>, ReplicaError> {
        let key = self.identity.node_key();
        let mut out = Vec::new();
        for id in self.coalition_ids()? {
            if self.is_joining(&id) {
                // Being joined: nothing has arrived yet.
                continue;
            }
            // Counted from the governance, the listings' headers and the pools, not from a
            // whole read of every coalition.
            let gov = self.in_force(&id)?;
            let issues = self.issue_headers(&id)?.len();
            let proposals = self.proposal_headers(&id)?.len();
            let name = self.name(&id)?;
            // Pools counted by their keys, less those that do not read (kept up to date): a
            // pool is not read whole (a ledger of thousands of entries) to be counted.
            let unreadable = self
                .unreadable(&id)?
                .iter()
                .filter(|u| u.path == "pools" || u.path.starts_with("pools/"))
                .count();
            let pools = self
                .record_ids_starting(&id, "pools", "")?
                .len()
                .saturating_sub(unreadable);
            out.push(CoalitionSummary {
                me: gov
                    .members
                    .values()
                    .find(|m| m.keys.contains(&key))
                    .map(|m| m.id.clone()),
                members: gov.members.len(),
                id,
                name,
                issues,
                pools,
                proposals,
            });
        }
        out.sort_by(|a, b| (a.name.as_str(), &a.id).cmp(&(b.name.as_str(), &b.id)));
        Ok(out)
    }

    /// Founds a new coalition with this node's organization as first member.
    #[instrument(skip_all, fields(coalition))]
    pub fn found_coalition(&mut self, new: NewCoalition) -> Result<CoalitionId, ReplicaError> {
        let id = CoalitionId::from_bytes(fresh_id_bytes()?);
        tracing::Span::current().record("coalition", tracing::field::display(&id));
        let founding = model::Founding {
            id: id.clone(),
            name: new.name,
            frame: new.frame,
            values: new.values,
            commitments: new.commitments,
            equity_threshold: new.equity_threshold,
            founder_id: MemberId::from_bytes(fresh_id_bytes()?),
            founder: MemberProfile::named(self.org_name()),
            at: now(),
        };
        let mut doc = CoalitionDoc::found(self.identity.node_key(), founding)?;
        let changes = doc.changes_since(&[]);
        let raw: Vec<&[u8]> = changes.iter().map(|c| c.raw_bytes()).collect();
        let sigs: Vec<ChangeSignature> = changes
            .last()
            .map(|c| self.identity.sign(&c.hash()))
            .into_iter()
            .collect();
        let stored_upto = self
            .store
            .append_signed(id.as_str(), &raw, &stored_signatures(&sigs))?;
        let since_snapshot = raw.len();
        let mut index = HeadIndex::default();
        for sig in sigs {
            index.offer(doc.automerge_mut(), sig);
        }
        let stored_heads = doc.heads();
        info!("coalition founded");
        self.docs.insert(
            id.clone(),
            Loaded {
                doc,
                issue_headers: None,
                proposal_headers: None,
                pools: crate::reads::Pools::default(),
                history: model::history::Log::default(),
                kept_at: crate::reads::KeptAt::default(),
                unreadable: None,
                index,
                since_snapshot,
                stored_upto,
                stored_heads,
                joining: false,
            },
        );
        Ok(id)
    }
}
