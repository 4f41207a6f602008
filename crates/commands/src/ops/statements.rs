//! The statements this coalition publishes to linked coalitions (issue 20): drafting one from
//! this node's copy, co-signing another member's draft once this node computes the same bytes,
//! listing them with who signed, and exporting those complete for a link to a statements file
//! carried by hand. Reads: the drafts and co-signatures in members' records (every one), the
//! governance, the links in force, and for a draft the record it speaks of (forked at its
//! heads).

use model::federation::{Kind, StatementId, Value};
use model::statements::{Draft, Topic};
use model::{CoalitionId, Timestamp};
use replica::Replica;
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

/// A statement to draft.
#[derive(Debug, Clone, Default, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct StatementDraftRequest {
    /// What it states: `roster`, `issue`, `pool`, `goal`, `decision`, `call` (asking
    /// affiliates their position on a proposal) or `mandate` (this coalition's position on a
    /// call received, as its own proposal decided it).
    pub kind: String,
    /// The record it is about (an id or a unique prefix; none for a roster; for a call or a
    /// mandate, this coalition's proposal).
    #[serde(default)]
    pub record: Option<String>,
    /// For a mandate, the call it answers (a statement received: its id or the start of it).
    #[serde(default)]
    pub call: Option<String>,
    /// For a pool's totals, the period's first day (`YYYY-MM-DD`).
    #[serde(default)]
    pub from: Option<String>,
    /// For a pool's totals, the period's last day (`YYYY-MM-DD`, included).
    #[serde(default)]
    pub to: Option<String>,
}

/// One statement drafted in the coalition.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
pub struct StatementLine {
    /// Its id (64 hex digits).
    pub id: String,
    /// Its kind.
    pub kind: String,
    /// The record it is about (none for a roster).
    pub record: Option<String>,
    /// Its place on its subject (a roster's version).
    pub sequence: u64,
    /// The roster whose members sign it.
    pub roster: u64,
    /// The moment it speaks of.
    pub as_of: String,
    /// The statement it supersedes, if any.
    pub supersedes: Option<String>,
    /// Who drafted it.
    pub drafted_by: String,
    /// The members whose co-signatures verify, by name.
    pub signed_by: Vec<String>,
}

/// The statements drafted, oldest first.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
pub struct StatementsView {
    /// Each draft.
    pub statements: Vec<StatementLine>,
}

/// Statements to export for a link, to a file.
#[derive(Debug, Clone, Default, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct StatementExportRequest {
    /// The linked coalition: its id or the start of it (`link list`).
    pub with: String,
    /// The file to write, an absolute path on the node's machine (replaced if it exists).
    pub file: String,
}

/// A statements file written.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
pub struct StatementsExported {
    /// The file.
    pub file: String,
    /// Rosters in it.
    pub rosters: usize,
    /// Other statements in it.
    pub statements: usize,
    /// Statements of the kinds the link publishes left out: not (yet) signed by the link's
    /// threshold of members under the roster chain.
    pub left_out: usize,
    /// Its size.
    pub bytes: u64,
}

/// Whether the file at `path` is a regular file starting as a statements file does (only its
/// first bytes are read).
fn is_statements_file(path: &std::path::Path) -> bool {
    use std::io::Read;
    let mut start = [0u8; 20];
    std::fs::metadata(path).is_ok_and(|m| m.is_file())
        && std::fs::File::open(path)
            .and_then(|mut f| f.read_exact(&mut start))
            .is_ok()
        && start == *model::federation::MAGIC
}

/// The topic a request names.
fn topic(r: &mut Replica, c: &CoalitionId, req: &StatementDraftRequest) -> anyhow::Result<Topic> {
    let kind: Kind = req.kind.trim().parse()?;
    let record =
        |r: &mut Replica, collection: &str, what: &'static str| -> anyhow::Result<String> {
            let given = req.record.as_deref().ok_or_else(|| {
                super::Invalid(format!(
                    "say which {what} the statement is about (--record)"
                ))
            })?;
            super::resolve::<String>(r, c, collection, what, given)
        };
    let day = |given: &Option<String>, end: bool| -> anyhow::Result<Option<Timestamp>> {
        let Some(g) = given else { return Ok(None) };
        let day: model::Day = g.trim().parse()?;
        // UTC days are all 24 hours long: the last one ends where the next begins.
        let start = day.start().as_millis();
        Ok(Some(Timestamp::from_millis(
            start + if end { 86_400_000 } else { 0 },
        )))
    };
    Ok(match kind {
        Kind::Roster => Topic::Roster,
        Kind::Issue => Topic::Issue(record(r, "issues", "issue")?.parse()?),
        Kind::Goal => Topic::Goal(record(r, "charter/goals", "goal")?.parse()?),
        Kind::Decision => Topic::Decision(record(r, "proposals", "proposal")?.parse()?),
        // A period of days, so that the next statement of the same period supersedes it.
        Kind::Pool => {
            let (Some(from), Some(to)) = (day(&req.from, false)?, day(&req.to, true)?) else {
                return Err(super::Invalid(
                    "a pool's totals are over a period: give its first and last days (--from, --to)"
                        .to_owned(),
                )
                .into());
            };
            Topic::Pool {
                pool: record(r, "pools", "pool")?.parse()?,
                from,
                to,
            }
        }
        Kind::Call => Topic::Call(record(r, "proposals", "proposal")?.parse()?),
        Kind::Mandate => {
            let given = req.call.as_deref().ok_or_else(|| {
                super::Invalid(
                    "say which call the position answers (--call, `statement received` lists \
                     the calls received)"
                        .to_owned(),
                )
            })?;
            let (call, asked, caller) = call_received(r, c, given)?;
            Topic::Mandate {
                call,
                question: asked.proposal,
                caller,
                proposal: record(r, "proposals", "proposal")?.parse()?,
            }
        }
    })
}

/// The call received whose id is or starts with `given`: its id, what it asks, who asks.
pub(crate) fn call_received(
    r: &mut Replica,
    c: &CoalitionId,
    given: &str,
) -> anyhow::Result<(
    StatementId,
    model::federation::Call,
    model::federation::RecordId,
)> {
    let given = given.trim().to_ascii_lowercase();
    let mut calls = Vec::new();
    for linked in r.from_linked(c)?.values() {
        for v in &linked.verified {
            if let Value::Call(call) = &v.statement.value {
                calls.push((v.id, call.clone(), v.statement.coalition));
            }
        }
    }
    let ids: Vec<String> = calls.iter().map(|(id, _, _)| id.hex()).collect();
    let found = replica::resolve_prefix(&given, "call received", ids.iter().map(String::as_str))?;
    let found = StatementId::from_hex(found)?;
    calls
        .into_iter()
        .find(|(id, _, _)| *id == found)
        .ok_or_else(|| super::Invalid(format!("no call received has id {}", found.short())).into())
}

/// Drafts a statement from this node's copy and co-signs it; its id.
pub fn draft(
    r: &mut Replica,
    c: &CoalitionId,
    req: StatementDraftRequest,
) -> anyhow::Result<StatementId> {
    let topic = topic(r, c, &req)?;
    Ok(r.draft_statement(c, &topic)?)
}

/// The address record a statements file of coalition `c` carries, so that the other side's
/// nodes can reach this one: this node's own (`own_address`), once `c`'s newest roster lists
/// this node (none before). Only its own: where other member nodes listen is theirs to tell,
/// in the files they write and pass.
pub fn addresses_for(r: &mut Replica, c: &CoalitionId) -> Vec<Vec<u8>> {
    let own = r.identity().node_key();
    match r.roster_chain(c) {
        Ok(Some(chain)) if chain.newest().member_of(own.as_bytes()).is_some() => own_address(r),
        _ => Vec::new(),
    }
}

/// This node's own address record as it last signed it, as a statements file carries it (the
/// bytes kept, if they are its record and fit): for a caller that knows its roster lists it.
pub fn own_address(r: &Replica) -> Vec<Vec<u8>> {
    let own = r.identity().node_key();
    r.own_address_record()
        .ok()
        .flatten()
        .filter(|b| b.len() <= model::federation::MAX_ADDRESS)
        .filter(|b| sync::addresses::decode_record(b).is_some_and(|a| a.node == *own.as_bytes()))
        .into_iter()
        .collect()
}

/// Keeps the address records `addresses` (from a statements file `from` published to `to`)
/// of the member nodes `from`'s newest roster, as `to` took it, lists (a record of any other
/// node is dropped unread, a bad one dropped), newest per node, so that this node reaches
/// them; records kept before are kept while `linked` (the member nodes of linked coalitions,
/// as the caller last read them) names their node. How many were new. Nothing is kept while
/// `to` holds no roster of `from`.
pub fn keep_addresses(
    r: &mut Replica,
    to: &CoalitionId,
    from: &CoalitionId,
    addresses: &[Vec<u8>],
    linked: &std::collections::HashSet<model::NodeKey>,
) -> usize {
    if addresses.is_empty() {
        return 0;
    }
    let listed: std::collections::HashSet<[u8; 32]> = match r.linked_chains(to) {
        Ok(chains) => chains
            .get(from)
            .map(|chain| {
                chain
                    .newest()
                    .members
                    .iter()
                    .flat_map(|m| m.keys.iter().copied())
                    .collect()
            })
            .unwrap_or_default(),
        Err(e) => {
            tracing::warn!(error = %e, "could not read the rosters of linked coalitions");
            return 0;
        }
    };
    let own = *r.identity().node_key().as_bytes();
    let now = u64::try_from(replica::now().as_millis()).ok();
    let records = sync::addresses::from_file(addresses, |k| *k != own && listed.contains(k), now);
    if records.is_empty() {
        return 0;
    }
    let kept = match r.linked_address_records() {
        Ok(kept) => kept.unwrap_or_default(),
        Err(e) => {
            tracing::warn!(error = %e, "could not read where linked coalitions' nodes listen");
            return 0;
        }
    };
    let (bytes, taken) = sync::addresses::merge_kept(&kept, records, |k| {
        listed.contains(k) || linked.contains(&model::NodeKey::from_bytes(*k))
    });
    if taken > 0
        && let Err(e) = r.save_linked_address_records(&bytes)
    {
        tracing::warn!(error = %e, "could not keep where linked coalitions' nodes listen");
        return 0;
    }
    taken
}

/// The draft whose id is or starts with `given`.
fn find(r: &mut Replica, c: &CoalitionId, given: &str) -> anyhow::Result<StatementId> {
    let given = given.trim().to_ascii_lowercase();
    let drafts = r.drafts(c)?;
    let ids: Vec<String> = drafts.keys().map(StatementId::hex).collect();
    let found = replica::resolve_prefix(&given, "statement", ids.iter().map(String::as_str))?;
    Ok(StatementId::from_hex(found)?)
}

/// Co-signs another member's draft, once this node computes the same bytes from its own
/// copy; its whole id.
pub fn sign(r: &mut Replica, c: &CoalitionId, given: &str) -> anyhow::Result<StatementId> {
    let id = find(r, c, given)?;
    r.sign_statement(c, &id)?;
    Ok(id)
}

/// The statements drafted, oldest first (by the moment they speak of, then id).
pub fn list(r: &mut Replica, c: &CoalitionId) -> anyhow::Result<StatementsView> {
    let gov = r.in_force(c)?;
    let drafts = r.drafts(c)?;
    let name = |m: &model::MemberId| {
        gov.name_of(m)
            .map_or_else(|| m.short().to_owned(), str::to_owned)
    };
    let mut lines: Vec<(&Draft, StatementLine)> = drafts
        .values()
        .map(|d| {
            let s = &d.statement;
            let record = match s.value {
                Value::Roster(_) => None,
                _ => Some(model::id_from_bytes(s.value.record())),
            };
            (
                d,
                StatementLine {
                    id: d.id.hex(),
                    kind: s.value.kind().to_string(),
                    record,
                    sequence: s.sequence,
                    roster: s.roster,
                    as_of: Timestamp::from_millis(s.as_of).to_string(),
                    supersedes: s.supersedes.map(|p| StatementId(p).hex()),
                    drafted_by: name(&d.drafted_by),
                    signed_by: d.cosigns.keys().map(name).collect(),
                },
            )
        })
        .collect();
    lines.sort_by_key(|(d, _)| (d.statement.as_of, d.id));
    Ok(StatementsView {
        statements: lines.into_iter().map(|(_, l)| l).collect(),
    })
}

/// Writes the statements published for the link with `req.with` to `req.file`: the roster
/// chain as receivers take it (`model::statements::roster_chain`), oldest first, then every
/// statement of a kind the link publishes (its issues with the link's tags, its goals and pools
/// if it names some) that verifies through that chain with the link's threshold. Not into the
/// node's home folder; a file already there is replaced only if it is a statements file.
pub fn export(
    r: &mut Replica,
    c: &CoalitionId,
    req: StatementExportRequest,
) -> anyhow::Result<StatementsExported> {
    let path = std::path::Path::new(&req.file);
    super::files::outside_home(r, path)?;
    if path.exists() && !is_statements_file(path) {
        return Err(super::Invalid(format!(
            "{} exists and is not a statements file: choose another name",
            path.display()
        ))
        .into());
    }
    let links = r.links(c)?;
    let given = req.with.trim().to_ascii_lowercase();
    let found: Vec<_> = links
        .iter()
        .filter(|(id, _)| !given.is_empty() && id.as_str().starts_with(&given))
        .collect();
    let [(other, link)] = found.as_slice() else {
        return Err(super::Invalid(format!(
            "`{}` names no one link in force (`link list` shows them)",
            given.chars().take(40).collect::<String>()
        ))
        .into());
    };
    // A link that publishes nothing still gives the roster chain: the other side's nodes
    // then know this side's member nodes (and verify what a link back publishes).
    let Some(mut publication) = r.publication(c, other, &link.terms, false)? else {
        return Err(super::Invalid(
            "the coalition has no roster a majority signed yet: nothing can be published"
                .to_owned(),
        )
        .into());
    };
    publication.file.addresses = addresses_for(r, c);
    let count = publication.file.items.len();
    if count > model::federation::MAX_ITEMS {
        return Err(super::Invalid(format!(
            "{count} statements are more than a file holds ({})",
            model::federation::MAX_ITEMS
        ))
        .into());
    }
    let bytes = publication.file.encode();
    if bytes.len() > model::federation::MAX_FILE {
        return Err(super::Invalid(format!(
            "the statements come to {} bytes, more than a file holds ({})",
            bytes.len(),
            model::federation::MAX_FILE
        ))
        .into());
    }
    replica::write_private(path, &bytes)?;
    Ok(StatementsExported {
        file: req.file,
        rosters: publication.rosters,
        statements: publication.statements,
        left_out: publication.left_out,
        bytes: bytes.len() as u64,
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::testing::{agree, replica};
    use model::federation::{RosterChain, Signed, Threshold};

    /// A coalition of one with a goal and a link in force publishing goals, one co-signer each.
    fn linked() -> (tempfile::TempDir, Replica, CoalitionId, String) {
        let (d, mut r, c) = replica();
        let goal = crate::ops::charter::add_goal(
            &mut r,
            &c,
            crate::ops::charter::NewGoalRequest {
                title: "Homes kept".into(),
                target: "100".into(),
                unit: "homes".into(),
            },
        )
        .unwrap();
        let p = crate::ops::links::propose(
            &mut r,
            &c,
            crate::ops::links::LinkRequest {
                with: "4e".repeat(16),
                name: Some("National Housing Alliance".into()),
                relation: "parent".into(),
                publish: vec!["goal".into()],
                threshold: Some(1),
                ..Default::default()
            },
        )
        .unwrap();
        agree(&mut r, &c, &p);
        (d, r, c, goal.to_string())
    }

    /// What a link shares is drafted on its own as records change: nothing before a link,
    /// then the roster first and each goal, tagged issue, pool month and decision since the
    /// link; nothing again while it stays the same; a change drafted again only once the
    /// interval passed; nothing at all on a node told to draft nothing on its own.
    #[test]
    fn what_a_link_shares_is_drafted_on_its_own_as_records_change() {
        use replica::Publishing;
        use std::time::Duration;
        let (_d, mut r, c) = replica();
        let goal = crate::ops::charter::add_goal(
            &mut r,
            &c,
            crate::ops::charter::NewGoalRequest {
                title: "Homes kept".into(),
                target: "100".into(),
                unit: "homes".into(),
            },
        )
        .unwrap();
        let tagged = crate::ops::issues::create(
            &mut r,
            &c,
            crate::ops::issues::NewIssueRequest {
                title: "Rents up 40%".into(),
                tags: vec!["housing".into()],
                ..Default::default()
            },
        )
        .unwrap();
        crate::testing::raise(&mut r, &c, "Bus fares");
        let pool = crate::ops::pools::create(
            &mut r,
            &c,
            crate::ops::pools::NewPoolRequest {
                name: "Legal fund".into(),
                kind: "funds".into(),
                unit: "USD".into(),
                ..Default::default()
            },
        )
        .unwrap();
        crate::ops::pools::give(
            &mut r,
            &c,
            pool.as_str(),
            crate::ops::pools::GiftRequest {
                kind: "contribution".into(),
                amount: "250".into(),
                ..Default::default()
            },
        )
        .unwrap();
        let every = Duration::from_secs(3600);
        let mut state = Publishing::new(Some(every));
        let now = replica::now();
        assert!(
            r.draft_shared(&mut state, now).unwrap().is_empty(),
            "no link: nothing is shared"
        );
        let p = crate::ops::links::propose(
            &mut r,
            &c,
            crate::ops::links::LinkRequest {
                with: "4e".repeat(16),
                name: Some("National Housing Alliance".into()),
                relation: "parent".into(),
                publish: ["goal", "issue", "pool", "decision"]
                    .map(Into::into)
                    .to_vec(),
                tags: vec!["housing".into()],
                threshold: Some(1),
                ..Default::default()
            },
        )
        .unwrap();
        agree(&mut r, &c, &p);
        let now = replica::now();
        // The roster first (the rest wait for one in force, the next round); the untagged
        // issue stays home; the pool's month (the month before is all zeros); the link's own
        // decision, taken since.
        let first = r.draft_shared(&mut state, now).unwrap();
        let made = r.draft_shared(&mut state, now).unwrap();
        let drafts = r.drafts(&c).unwrap();
        let kinds = |made: &[(CoalitionId, StatementId)]| {
            let mut k: Vec<String> = made
                .iter()
                .map(|(_, id)| drafts[id].statement.value.kind().to_string())
                .collect();
            k.sort();
            k
        };
        assert_eq!(kinds(&first), ["roster"]);
        assert_eq!(
            kinds(&made),
            ["decision", "goal", "issue", "pool"],
            "{made:?}"
        );
        let issue = made
            .iter()
            .find_map(|(_, id)| match &drafts[id].statement.value {
                Value::Issue(i) => Some(i.issue),
                _ => None,
            })
            .unwrap();
        assert_eq!(issue, tagged.to_bytes());
        let pool_line = made
            .iter()
            .find_map(|(_, id)| match &drafts[id].statement.value {
                Value::Pool(p) => Some(p.clone()),
                _ => None,
            })
            .unwrap();
        assert_eq!(pool_line.contributed, 25_000);
        let (from, to) = model::publishing::months(now)[1];
        assert_eq!(
            (pool_line.from, pool_line.to),
            (from.as_millis(), to.as_millis())
        );
        assert!(
            r.roster_chain(&c).unwrap().is_some(),
            "signed by its only member"
        );
        assert!(
            r.draft_shared(&mut state, now).unwrap().is_empty(),
            "what was published stays the same"
        );
        // A new figure: drafted again only once the interval since the last draft passed.
        crate::ops::charter::record_progress(
            &mut r,
            &c,
            goal.as_str(),
            crate::ops::charter::ProgressRequest {
                value: "42".into(),
                ..Default::default()
            },
        )
        .unwrap();
        assert!(r.draft_shared(&mut state, now).unwrap().is_empty());
        let later = model::Timestamp::from_millis(now.as_millis() + 3_601_000);
        let again = r.draft_shared(&mut state, later).unwrap();
        assert_eq!(again.len(), 1, "{again:?}");
        let drafts = r.drafts(&c).unwrap();
        let s = &drafts[&again[0].1].statement;
        let Value::Goal(g) = &s.value else {
            panic!("a goal: {s:?}")
        };
        assert_eq!(
            (g.latest.as_ref().map(|m| m.value), s.sequence),
            (Some(4_200), 2)
        );
        // A node told to draft nothing on its own drafts nothing.
        crate::ops::charter::record_progress(
            &mut r,
            &c,
            goal.as_str(),
            crate::ops::charter::ProgressRequest {
                value: "43".into(),
                ..Default::default()
            },
        )
        .unwrap();
        let far = model::Timestamp::from_millis(later.as_millis() + 3_601_000);
        let mut off = Publishing::new(None);
        assert!(r.draft_shared(&mut off, far).unwrap().is_empty());
        // Drafts this member co-signed lately are waited for.
        let mut fresh = Publishing::new(Some(every));
        assert!(r.draft_shared(&mut fresh, now).unwrap().is_empty());
        // A draft this member did not co-sign is not (another member's junk, or one naming
        // heads no node holds): with a short interval past for the honest drafts, a junk
        // draft made just now holds nothing back.
        let short = Duration::from_secs(2);
        std::thread::sleep(short + Duration::from_millis(100));
        let mut junk = r.drafts(&c).unwrap()[&again[0].1].statement.clone();
        junk.sequence += 1;
        junk.supersedes = Some(again[0].1.0);
        let junk_id = r
            .edit(&c, |d, a| d.draft_statement(&a.member, &junk, a.now))
            .unwrap();
        assert!(r.drafts(&c).unwrap()[&junk_id].cosigns.is_empty());
        let mut fresh = Publishing::new(Some(short));
        let redone = r.draft_shared(&mut fresh, replica::now()).unwrap();
        assert_eq!(redone.len(), 1, "{redone:?}");
        let drafts = r.drafts(&c).unwrap();
        let Value::Goal(g) = &drafts[&redone[0].1].statement.value else {
            panic!("a goal")
        };
        assert_eq!(g.latest.as_ref().map(|m| m.value), Some(4_300));
    }

    /// A statements file carries where its writer listens: this node's own record once its
    /// roster lists it; records are kept only of the publisher's member nodes as the rosters
    /// taken from it list them (none here: no roster of it is held).
    #[test]
    fn a_file_carries_where_the_rosters_nodes_listen() {
        use sync::addresses::{AddressRecord, decode_record, encode_record};
        let (_d, mut r, c, _goal) = linked();
        let secret = r.identity().secret_bytes();
        let own = AddressRecord::sign(&secret, &["/ip4/192.0.2.1/tcp/7421".into()], 1_000);
        r.save_own_address_record(&encode_record(&own)).unwrap();
        assert!(addresses_for(&mut r, &c).is_empty(), "no roster yet");
        draft(
            &mut r,
            &c,
            StatementDraftRequest {
                kind: "roster".into(),
                ..Default::default()
            },
        )
        .unwrap();
        let carried = addresses_for(&mut r, &c);
        assert_eq!(carried.len(), 1);
        assert_eq!(decode_record(&carried[0]), Some(own));
        let other = CoalitionId::from_bytes([0x4e; 16]);
        assert_eq!(
            keep_addresses(&mut r, &c, &other, &carried, &Default::default()),
            0,
            "no roster of it"
        );
        assert!(r.linked_address_records().unwrap().is_none());
    }

    #[test]
    fn statements_drafted_are_listed_and_exported_for_a_link_as_a_file_that_verifies() {
        let (home, mut r, c, goal) = linked();
        let request = |kind: &str, record: Option<&str>| StatementDraftRequest {
            kind: kind.into(),
            record: record.map(str::to_owned),
            ..Default::default()
        };
        let e = draft(&mut r, &c, request("goal", None)).unwrap_err();
        assert!(e.to_string().contains("--record"), "{e}");
        let e = draft(&mut r, &c, request("mandate", None)).unwrap_err();
        assert!(e.to_string().contains("--call"), "{e}");
        let roster = draft(&mut r, &c, request("roster", None)).unwrap();
        let progress = draft(&mut r, &c, request("goal", Some(&goal[..6]))).unwrap();
        // An issue's statement: the link publishes goals only, so it stays home.
        let issue = crate::testing::raise(&mut r, &c, "Rents up 40%");
        draft(&mut r, &c, request("issue", Some(issue.as_str()))).unwrap();
        let listed = list(&mut r, &c).unwrap().statements;
        assert_eq!(listed.len(), 3);
        let line = listed.iter().find(|l| l.id == progress.hex()).unwrap();
        assert_eq!(
            (line.kind.as_str(), line.roster, line.sequence),
            ("goal", 1, 1)
        );
        assert_eq!(line.signed_by, vec!["Northside Tenants Union".to_owned()]);
        assert_eq!(sign(&mut r, &c, &progress.hex()[..10]).unwrap(), progress);

        let e = export(
            &mut r,
            &c,
            StatementExportRequest {
                with: "4e4e".into(),
                file: home.path().join("x.statements").display().to_string(),
            },
        )
        .unwrap_err();
        assert!(e.to_string().contains("home folder"), "{e}");
        let dir = tempfile::tempdir().unwrap();
        let taken = dir.path().join("notes.txt");
        std::fs::write(&taken, "mine").unwrap();
        let e = export(
            &mut r,
            &c,
            StatementExportRequest {
                with: "4e4e".into(),
                file: taken.display().to_string(),
            },
        )
        .unwrap_err();
        assert!(e.to_string().contains("not a statements file"), "{e}");
        let file = dir.path().join("for-national.statements");
        let e = export(
            &mut r,
            &c,
            StatementExportRequest {
                with: "ffff".into(),
                file: file.display().to_string(),
            },
        )
        .unwrap_err();
        assert!(e.to_string().contains("no one link"), "{e}");
        let done = export(
            &mut r,
            &c,
            StatementExportRequest {
                with: "4e4e".into(),
                file: file.display().to_string(),
            },
        )
        .unwrap();
        assert_eq!((done.rosters, done.statements, done.left_out), (1, 1, 0));
        let read =
            model::federation::StatementsFile::decode(&std::fs::read(&file).unwrap()).unwrap();
        assert_eq!(read.to, [0x4e; 16]);
        let first = Signed::decode(&read.items[0]).unwrap();
        assert_eq!(first.id(), roster);
        let chain = RosterChain::trust(&roster, &first).unwrap();
        let v = chain
            .verify(
                &Signed::decode(&read.items[1]).unwrap(),
                Threshold::new(1).unwrap(),
            )
            .unwrap();
        assert_eq!(v.id, progress);
    }
}
