//! The statements this coalition takes from linked coalitions (issue 20): importing a
//! statements file, listing what was received with where each came from, and verifying one
//! again. Reads: every statement received (members' records), the links in force, the
//! governance for names.

use model::federation::{StatementId, StatementsFile, Value, Verified};
use model::received::FromLinked;
use model::{Amount, CoalitionId, Offer, Timestamp};
use replica::Replica;
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

/// A statements file to import.
#[derive(Debug, Clone, Default, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct StatementImportRequest {
    /// The file, an absolute path on the node's machine.
    pub file: String,
}

/// A statement not taken, and why.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
pub struct StatementRefused {
    /// Its id (64 hex digits), or its place in the file when it does not read.
    pub id: String,
    /// Why, in a word (`too-few-signers`, `kind-not-taken`, `roster-not-in-chain`...).
    pub code: String,
    /// Why, in words.
    pub reason: String,
}

/// A statements file imported.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
pub struct StatementsImported {
    /// The file.
    pub file: String,
    /// The coalition that published it (its id).
    pub from: String,
    /// Statements taken and stored now.
    pub stored: usize,
    /// Statements taken and held already.
    pub held: usize,
    /// Statements not taken, with why.
    pub refused: Vec<StatementRefused>,
}

/// One statement received and verifying now, with where it came from.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
pub struct ReceivedLine {
    /// Its id (64 hex digits).
    pub id: String,
    /// The coalition that published it (its id).
    pub from: String,
    /// That coalition's name, as the link gives it.
    pub from_name: String,
    /// Its kind.
    pub kind: String,
    /// The record it is about in the publisher's coalition.
    pub record: String,
    /// What it states, in a line.
    pub summary: String,
    /// Its place on its subject.
    pub sequence: u64,
    /// The moment it speaks of.
    pub as_of: String,
    /// How many members of the publisher's roster signed it.
    pub signed: usize,
    /// How many members that roster had.
    pub members: usize,
    /// The roster's version.
    pub roster: u64,
    /// Whether it is the latest on its subject (else a later one replaced it).
    pub latest: bool,
    /// Where it came from, in words: the statement, who signed, as of when.
    pub provenance: String,
}

/// A statement received that does not verify now.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
pub struct WaitingLine {
    /// Its id (64 hex digits).
    pub id: String,
    /// The coalition that published it.
    pub from: String,
    /// Why it does not verify.
    pub reason: String,
}

/// What the coalition holds from the coalitions linked with it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
pub struct ReceivedView {
    /// Each statement verifying now, by publisher, then oldest first.
    pub statements: Vec<ReceivedLine>,
    /// Those that do not verify now.
    pub waiting: Vec<WaitingLine>,
}

/// A statement verified again.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
pub struct StatementVerified {
    /// Its id (64 hex digits).
    pub id: String,
    /// Whether it verifies now through the publisher's rosters with the link's threshold.
    pub verifies: bool,
    /// What it states and where it came from, when it verifies.
    pub statement: Option<ReceivedLine>,
    /// Why not, when it does not.
    pub reason: Option<String>,
}

/// What `value` states, in a line of plain words.
pub fn summary(value: &Value) -> String {
    let h = |v: i128| Amount::format_total(v);
    match value {
        Value::Roster(r) => format!("{} member organizations", r.members.len()),
        Value::Issue(i) => format!(
            "{}: shared by {} of {} members ({})",
            i.title,
            i.sharing(),
            i.members,
            i.status
        ),
        Value::Pool(p) => format!(
            "{}: {} {} contributed, {} pledged, {} allocated, balance {}",
            p.name,
            h(p.contributed),
            p.unit,
            h(p.pledged),
            h(p.allocated),
            h(p.balance)
        ),
        Value::Goal(g) => match g.latest {
            Some(m) => format!(
                "{}: {} of {} {}",
                g.title,
                h(m.value.into()),
                h(g.target.into()),
                g.unit
            ),
            None => format!(
                "{}: no progress yet, target {} {}",
                g.title,
                h(g.target.into()),
                g.unit
            ),
        },
        Value::Decision(d) => format!("{}: {} ({})", d.title, d.outcome, d.rule),
        Value::Call(c) => c.title.clone(),
        Value::Mandate(m) => format!("position: {}", m.position.as_str()),
    }
}

fn line(from: &CoalitionId, linked: &FromLinked, v: &Verified) -> ReceivedLine {
    let s = &v.statement;
    let name = model::federation::clean_short(&linked.link.terms.name);
    let as_of = Timestamp::from_millis(s.as_of);
    ReceivedLine {
        id: v.id.hex(),
        from: from.to_string(),
        from_name: name.clone(),
        kind: s.value.kind().to_string(),
        record: model::id_from_bytes(s.value.record()),
        summary: summary(&s.value),
        sequence: s.sequence,
        as_of: as_of.to_string(),
        signed: v.signers.len(),
        members: v.members,
        roster: v.roster,
        latest: linked.is_latest(v),
        provenance: model::reports::affiliates::Provenance::of(v, from, &name).to_string(),
    }
}

/// What the coalition holds from the coalitions linked with it.
pub fn list(r: &mut Replica, c: &CoalitionId) -> anyhow::Result<ReceivedView> {
    let linked = r.from_linked(c)?;
    let mut statements = Vec::new();
    let mut waiting = Vec::new();
    for (from, l) in &linked {
        statements.extend(l.verified.iter().map(|v| line(from, l, v)));
        waiting.extend(l.waiting.iter().map(|(w, e)| WaitingLine {
            id: w.id.hex(),
            from: from.to_string(),
            reason: e.to_string(),
        }));
    }
    Ok(ReceivedView {
        statements,
        waiting,
    })
}

/// Verifies again the statement received whose id is or starts with `given`.
pub fn verify(r: &mut Replica, c: &CoalitionId, given: &str) -> anyhow::Result<StatementVerified> {
    let given = given.trim().to_ascii_lowercase();
    let linked = r.from_linked(c)?;
    let mut all: Vec<(&CoalitionId, &FromLinked, StatementId, Option<&Verified>)> = Vec::new();
    for (from, l) in &linked {
        all.extend(l.verified.iter().map(|v| (from, l, v.id, Some(v))));
        all.extend(l.waiting.iter().map(|(rec, _)| (from, l, rec.id, None)));
    }
    let ids: Vec<String> = all.iter().map(|(_, _, id, _)| id.hex()).collect();
    let found =
        replica::resolve_prefix(&given, "received statement", ids.iter().map(String::as_str))?;
    let id = StatementId::from_hex(found)?;
    let Some((from, l, _, verified)) = all.iter().find(|(_, _, held, _)| *held == id) else {
        return Err(super::Invalid(format!("no statement received has id {}", id.short())).into());
    };
    Ok(match verified {
        Some(v) => StatementVerified {
            id: id.hex(),
            verifies: true,
            statement: Some(line(from, l, v)),
            reason: None,
        },
        None => StatementVerified {
            id: id.hex(),
            verifies: false,
            statement: None,
            reason: l
                .waiting
                .iter()
                .find(|(rec, _)| rec.id == id)
                .map(|(_, e)| e.to_string()),
        },
    })
}

/// A call received from a coalition this one is linked with: a question it asks its
/// affiliates to decide.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
pub struct CallLine {
    /// The call statement's id (64 hex digits): what `proposal new --answers` names.
    pub id: String,
    /// The coalition that called (its id).
    pub from: String,
    /// Its name, as the link gives it.
    pub from_name: String,
    /// The question's title, as the caller wrote it.
    pub title: String,
    /// What it asks, as the caller wrote it.
    pub text: String,
    /// Whether it asks for a position (a mandate), or only informs.
    pub asks_position: bool,
    /// By when a position must be decided (`YYYY-MM-DD HH:MM UTC`).
    pub closes_at: String,
    /// The same, in Unix milliseconds.
    pub closes_millis: i64,
    /// Whether that time is still to come.
    pub open: bool,
    /// This coalition's proposals opened to answer it.
    pub answered_by: Vec<String>,
    /// Where it came from.
    pub source: Source,
    /// The same, in words.
    pub provenance: String,
}

/// The calls received, latest closing first.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
pub struct CallsView {
    /// The calls.
    pub calls: Vec<CallLine>,
}

/// The calls coalition `c` received from coalitions it is an affiliate of (those verifying
/// now, the latest on each question), with the proposals answering each.
pub fn calls(r: &mut Replica, c: &CoalitionId) -> anyhow::Result<CallsView> {
    let linked = r.from_linked(c)?;
    let headers = r.proposal_headers(c)?;
    let now = replica::now();
    let mut calls = Vec::new();
    for (from, l) in &linked {
        let name = model::federation::clean_short(&l.link.terms.name);
        for v in l.verified.iter().filter(|v| l.is_latest(v)) {
            let Value::Call(call) = &v.statement.value else {
                continue;
            };
            let closes = Timestamp::from_millis(call.closes_at);
            let provenance = model::reports::affiliates::Provenance::of(v, from, &name);
            calls.push(CallLine {
                id: v.id.hex(),
                from: from.to_string(),
                from_name: name.clone(),
                title: call.title.clone(),
                text: call.text.clone(),
                asks_position: call.mandate,
                closes_at: closes.to_string(),
                closes_millis: call.closes_at,
                open: closes > now,
                answered_by: headers
                    .iter()
                    .filter(|(_, h)| h.answers == Some(v.id))
                    .map(|(p, _)| p.to_string())
                    .collect(),
                source: Source::from(&provenance),
                provenance: provenance.to_string(),
            });
        }
    }
    calls.sort_by(|a, b| b.closes_millis.cmp(&a.closes_millis).then(a.id.cmp(&b.id)));
    Ok(CallsView { calls })
}

/// Imports a statements file into coalition `c`: each statement judged as if it arrived over
/// the network (the link in force with its publisher takes its kind, and it verifies through
/// the publisher's rosters), those taken stored, the rest said with why.
pub fn import(
    r: &mut Replica,
    c: &CoalitionId,
    req: StatementImportRequest,
) -> anyhow::Result<StatementsImported> {
    use std::io::Read;
    let path = std::path::Path::new(&req.file);
    let cannot = |e: std::io::Error| super::Invalid(format!("cannot read {}: {e}", path.display()));
    if !std::fs::metadata(path).map_err(cannot)?.is_file() {
        return Err(super::Invalid(format!("{} is not a file", path.display())).into());
    }
    // Read no further than a statements file can be, whatever the file says its size is.
    let mut bytes = Vec::new();
    std::fs::File::open(path)
        .and_then(|f| {
            f.take(model::federation::MAX_FILE as u64 + 1)
                .read_to_end(&mut bytes)
        })
        .map_err(cannot)?;
    if bytes.len() > model::federation::MAX_FILE {
        return Err(super::Invalid(format!(
            "{} is larger than a statements file can be ({} bytes)",
            path.display(),
            model::federation::MAX_FILE
        ))
        .into());
    }
    let file = StatementsFile::decode(&bytes)
        .map_err(|e| super::Invalid(format!("{}: {e}", path.display())))?;
    let from = CoalitionId::from_bytes(file.from);
    if file.to != c.to_bytes() {
        return Err(super::Invalid(format!(
            "this file was written for coalition {}, not this one ({c}): import it there \
             (--coalition)",
            CoalitionId::from_bytes(file.to)
        ))
        .into());
    }
    let source = format!("file {}", path.display());
    let mut refused = Vec::new();
    let mut items = Vec::new();
    for (i, item) in file.items.iter().enumerate() {
        match model::federation::Signed::decode(item) {
            Ok(s) => items.push(s),
            Err(e) => {
                let logged = r.log_refusal(replica::Refusal {
                    at: replica::now().as_millis(),
                    peer: source.clone(),
                    coalition: Some(c.to_string()),
                    reason: format!("item {}: {e}", i + 1),
                });
                if let Err(e) = logged {
                    tracing::warn!(error = %e, "could not log the refusal");
                }
                refused.push(StatementRefused {
                    id: format!("item {}", i + 1),
                    code: "malformed".into(),
                    reason: e.to_string(),
                })
            }
        }
    }
    let outcome = r.receive_statements(c, &items, &source)?;
    // Where the publisher's member nodes listen, once its rosters are taken.
    let addresses = if file.addresses.is_empty() {
        0
    } else {
        match r.linked_nodes() {
            Ok(linked) => super::statements::keep_addresses(r, c, &from, &file.addresses, &linked),
            Err(e) => {
                tracing::warn!(error = %e, "could not read the member nodes of linked coalitions");
                0
            }
        }
    };
    if addresses > 0 {
        tracing::info!(records = addresses, from = %from, "learned where a linked coalition's nodes listen");
    }
    let (mut stored, mut held) = (0, 0);
    for (id, o) in outcome {
        match o {
            Offer::Stored => stored += 1,
            Offer::Held => held += 1,
            Offer::Refused(e) => refused.push(StatementRefused {
                id: id.hex(),
                code: e.code().into(),
                reason: e.to_string(),
            }),
        }
    }
    Ok(StatementsImported {
        file: req.file,
        from: from.to_string(),
        stored,
        held,
        refused,
    })
}

/// Where a figure comes from, in parts (for pages in other languages).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
pub struct Source {
    /// The statement's id (64 hex digits).
    pub statement: String,
    /// How many members of the publisher's roster signed it.
    pub signed: usize,
    /// How many members that roster had.
    pub members: usize,
    /// The day it speaks of (`YYYY-MM-DD`).
    pub day: String,
}

impl From<&model::reports::affiliates::Provenance> for Source {
    fn from(p: &model::reports::affiliates::Provenance) -> Self {
        Self {
            statement: p.statement.hex(),
            signed: p.signed,
            members: p.members,
            day: model::Day::of(p.as_of).to_string(),
        }
    }
}

/// One affiliate.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
pub struct AffiliateLine {
    /// Its id.
    pub id: String,
    /// Its name, as the link gives it.
    pub name: String,
    /// Its members, as its newest roster received lists them (none before a roster).
    pub members: Option<usize>,
    /// Its weight in this coalition's mandates.
    pub weight: u64,
    /// Statements received from it that do not verify now.
    pub waiting: usize,
}

/// An affiliate's issue.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
pub struct AffiliateIssue {
    /// The affiliate's name.
    pub from: String,
    /// The issue's title.
    pub title: String,
    /// Its tags.
    pub tags: Vec<String>,
    /// Its status word.
    pub status: String,
    /// How many of the affiliate's members share it.
    pub sharing: u64,
    /// How many members the affiliate had.
    pub members: u32,
    /// Its place in the affiliate's priority, if it has one.
    pub priority: Option<u32>,
    /// Where it comes from, in words.
    pub provenance: String,
    /// Where it comes from, in parts.
    pub source: Source,
}

/// A tag several affiliates' issues hold.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
pub struct TagLine {
    /// The tag.
    pub tag: String,
    /// The affiliates that raised issues holding it, by name.
    pub affiliates: Vec<String>,
    /// How many issues hold it.
    pub issues: usize,
}

/// An affiliate's pool over its latest period.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
pub struct AffiliatePool {
    /// The affiliate's name.
    pub from: String,
    /// The pool's name.
    pub name: String,
    /// Its kind word.
    pub kind: String,
    /// Its unit.
    pub unit: String,
    /// The period's first day.
    pub period_from: String,
    /// The period's last day.
    pub period_to: String,
    /// Pledged.
    pub pledged: String,
    /// Contributed.
    pub contributed: String,
    /// Allocated.
    pub allocated: String,
    /// Balance at the period's end.
    pub balance: String,
    /// Where it comes from, in words.
    pub provenance: String,
    /// Where it comes from, in parts.
    pub source: Source,
}

/// Pools of one kind and unit summed across affiliates.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
pub struct PoolSumLine {
    /// Their kind.
    pub kind: String,
    /// Their unit.
    pub unit: String,
    /// Pledged.
    pub pledged: String,
    /// Contributed.
    pub contributed: String,
    /// Allocated.
    pub allocated: String,
    /// Balance.
    pub balance: String,
    /// How many pools.
    pub pools: usize,
}

/// An affiliate's goal.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
pub struct AffiliateGoal {
    /// The affiliate's name.
    pub from: String,
    /// The goal's title.
    pub title: String,
    /// Its latest progress, if any.
    pub progress: Option<String>,
    /// Its target.
    pub target: String,
    /// Its unit.
    pub unit: String,
    /// Where it comes from, in words.
    pub provenance: String,
    /// Where it comes from, in parts.
    pub source: Source,
}

/// Goals of one unit rolled up.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
pub struct GoalSumLine {
    /// Their unit.
    pub unit: String,
    /// Progress summed.
    pub progress: String,
    /// Targets summed.
    pub target: String,
    /// Progress as a share of the targets summed (by target), in percent.
    pub by_target: Option<String>,
    /// Each goal's share of its target averaged with the affiliates' weights, in percent.
    pub by_weight: Option<String>,
    /// How many goals.
    pub goals: usize,
}

/// An affiliate's decision.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
pub struct AffiliateDecision {
    /// The affiliate's name.
    pub from: String,
    /// The proposal's title.
    pub title: String,
    /// Its rule.
    pub rule: String,
    /// Its outcome's word.
    pub outcome: String,
    /// Positions counted: agree, abstain, disagree, block.
    pub counts: [u64; 4],
    /// Where it comes from, in words.
    pub provenance: String,
    /// Where it comes from, in parts.
    pub source: Source,
}

/// What the affiliates published, rolled up.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
pub struct AffiliatesView {
    /// The affiliates.
    pub affiliates: Vec<AffiliateLine>,
    /// Their issues, most shared first.
    pub issues: Vec<AffiliateIssue>,
    /// Tags raised by several affiliates first.
    pub overlap: Vec<TagLine>,
    /// Their pools, each over its latest period.
    pub pools: Vec<AffiliatePool>,
    /// Those summed by kind and unit.
    pub pool_sums: Vec<PoolSumLine>,
    /// Their goals.
    pub goals: Vec<AffiliateGoal>,
    /// Those rolled up by unit.
    pub goal_sums: Vec<GoalSumLine>,
    /// Their decisions, latest first.
    pub decisions: Vec<AffiliateDecision>,
}

/// Hundredths of a percent, in percent with one decimal (cut, not rounded).
fn percent(hundredths: i128) -> String {
    let sign = if hundredths < 0 { "-" } else { "" };
    let h = hundredths.unsigned_abs();
    format!("{sign}{}.{}", h / 100, (h % 100) / 10)
}

/// What the coalition's affiliates published, rolled up (`model::reports::affiliates`).
pub fn affiliates(r: &mut Replica, c: &CoalitionId) -> anyhow::Result<AffiliatesView> {
    use model::reports::affiliates::rollup;
    let linked = r.from_linked(c)?;
    let up = rollup(&linked);
    let h = Amount::format_total;
    let names: std::collections::BTreeMap<&CoalitionId, &str> = up
        .affiliates
        .iter()
        .map(|a| (&a.id, a.name.as_str()))
        .collect();
    let day = |ms: i64| model::Day::of(Timestamp::from_millis(ms)).to_string();
    Ok(AffiliatesView {
        affiliates: up
            .affiliates
            .iter()
            .map(|a| AffiliateLine {
                id: a.id.to_string(),
                name: a.name.clone(),
                members: a.members,
                weight: a.weight,
                waiting: a.waiting,
            })
            .collect(),
        issues: up
            .issues
            .iter()
            .map(|(i, p)| AffiliateIssue {
                from: p.name.clone(),
                title: i.title.clone(),
                tags: i.tags.clone(),
                status: i.status.clone(),
                sharing: i.sharing(),
                members: i.members,
                priority: i.priority,
                provenance: p.to_string(),
                source: p.into(),
            })
            .collect(),
        overlap: up
            .overlap
            .iter()
            .map(|t| TagLine {
                tag: t.tag.clone(),
                affiliates: t
                    .affiliates
                    .iter()
                    .map(|a| names.get(a).copied().unwrap_or_default().to_owned())
                    .collect(),
                issues: t.issues,
            })
            .collect(),
        pools: up
            .pools
            .iter()
            .map(|(t, p)| AffiliatePool {
                from: p.name.clone(),
                name: t.name.clone(),
                kind: t.kind.clone(),
                unit: t.unit.clone(),
                period_from: day(t.from),
                // The period's end is excluded: its last day is the one before.
                period_to: day(t.to.saturating_sub(1)),
                pledged: h(t.pledged),
                contributed: h(t.contributed),
                allocated: h(t.allocated),
                balance: h(t.balance),
                provenance: p.to_string(),
                source: p.into(),
            })
            .collect(),
        pool_sums: up
            .pool_sums
            .iter()
            .map(|s| PoolSumLine {
                kind: s.kind.clone(),
                unit: s.unit.clone(),
                pledged: h(s.pledged),
                contributed: h(s.contributed),
                allocated: h(s.allocated),
                balance: h(s.balance),
                pools: s.pools,
            })
            .collect(),
        goals: up
            .goals
            .iter()
            .map(|(g, p)| AffiliateGoal {
                from: p.name.clone(),
                title: g.title.clone(),
                progress: g.latest.map(|m| h(m.value.into())),
                target: h(g.target.into()),
                unit: g.unit.clone(),
                provenance: p.to_string(),
                source: p.into(),
            })
            .collect(),
        goal_sums: up
            .goal_sums
            .iter()
            .map(|s| GoalSumLine {
                unit: s.unit.clone(),
                progress: h(s.progress),
                target: h(s.target),
                by_target: (s.target > 0).then(|| percent(s.progress * 10_000 / s.target)),
                by_weight: s.weighted.map(percent),
                goals: s.goals,
            })
            .collect(),
        decisions: up
            .decisions
            .iter()
            .map(|(d, p)| AffiliateDecision {
                from: p.name.clone(),
                title: d.title.clone(),
                rule: d.rule.clone(),
                outcome: d.outcome.clone(),
                counts: [
                    d.counts.agree,
                    d.counts.abstain,
                    d.counts.disagree,
                    d.counts.block,
                ],
                provenance: p.to_string(),
                source: p.into(),
            })
            .collect(),
    })
}

/// One affiliate's position on a question, with its weight.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
pub struct MandateLine {
    /// The affiliate's name.
    pub from: String,
    /// Its weight in this coalition's mandates.
    pub weight: u64,
    /// Its position (`for`, `against`, `abstain`), none before it publishes one.
    pub position: Option<String>,
    /// Its own proposal that decided it.
    pub decided_by: Option<String>,
    /// Its members' positions counted: agree, abstain, disagree, block.
    pub counts: Option<[u64; 4]>,
    /// Where it comes from, in words.
    pub provenance: Option<String>,
    /// Where it comes from, in parts.
    pub source: Option<Source>,
}

/// The affiliates' positions on one of this coalition's proposals, weighted, beside its own
/// members' positions.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
pub struct MandatesView {
    /// The proposal asked about.
    pub proposal: String,
    /// Its title.
    pub title: String,
    /// Each affiliate asked (a call on the proposal was published to it).
    pub affiliates: Vec<MandateLine>,
    /// The weights for.
    pub weight_for: u64,
    /// The weights against.
    pub weight_against: u64,
    /// The weights abstaining.
    pub weight_abstain: u64,
    /// The weights of affiliates without a position yet.
    pub weight_silent: u64,
    /// This coalition's own members' positions: agree, abstain, disagree, block.
    pub members: [u64; 4],
    /// Both counted together: for, against, abstaining (our members one each, a block
    /// against; the affiliates with their weights). The proposal's outcome is still its
    /// members' alone.
    pub together: [u64; 3],
    /// The proposal's own outcome, from its members' positions.
    pub outcome: String,
    /// Its rule, as the charter writes it.
    pub rule: String,
    /// Its outcome counting both, under its rule (`model::reports::affiliates::mandates`):
    /// each member once, each affiliate with its weight (an affiliate for agrees, against
    /// disagrees: under consensus any one disagreeing stops it), each one's latest position
    /// stated before the closing time (an affiliate's: answering a call of ours, carried in
    /// until `answers_until`); open until then, decided at it. Weights count here, not
    /// members. None for a poll or a proposal without a closing time.
    pub with_affiliates: Option<model::Tally>,
    /// When that outcome was decided, if it is.
    #[schema(value_type = Option<String>)]
    pub decided_with_affiliates_at: Option<model::Timestamp>,
    /// Until when affiliates' positions carried in count, and so when that outcome is decided:
    /// the closing time and seven days (`model::reports::affiliates::ANSWERS_WITHIN`). None
    /// without a closing time, when no affiliate's position counts.
    #[schema(value_type = Option<String>)]
    pub answers_until: Option<model::Timestamp>,
}

/// The affiliates' positions on proposal `given` (an id or unique prefix), weighted.
pub fn mandates(r: &mut Replica, c: &CoalitionId, given: &str) -> anyhow::Result<MandatesView> {
    let shown = super::proposals::show(r, c, given)?.proposal;
    let id = shown.proposal.id.clone();
    let now = replica::now();
    let asked = r.asked(c, &shown.proposal, now)?;
    let t = model::reports::affiliates::mandates(&asked, c, id.to_bytes(), &shown.proposal, now);
    Ok(MandatesView {
        proposal: id.to_string(),
        title: shown.proposal.title.clone(),
        affiliates: t
            .lines
            .iter()
            .map(|l| {
                let p = l.position.as_ref();
                MandateLine {
                    from: l.affiliate.name.clone(),
                    weight: l.weight,
                    position: p.map(|(m, _)| m.position.as_str().to_owned()),
                    decided_by: p.map(|(m, _)| model::id_from_bytes(m.proposal)),
                    counts: p.map(|(m, _)| {
                        [
                            m.counts.agree,
                            m.counts.abstain,
                            m.counts.disagree,
                            m.counts.block,
                        ]
                    }),
                    provenance: p.map(|(_, pr)| pr.to_string()),
                    source: p.map(|(_, pr)| pr.into()),
                }
            })
            .collect(),
        weight_for: t.for_,
        weight_against: t.against,
        weight_abstain: t.abstain,
        weight_silent: t.silent,
        members: [
            shown.tally.agree,
            shown.tally.abstain,
            shown.tally.disagree,
            shown.tally.block,
        ],
        together: [
            shown.tally.agree.saturating_add(t.for_),
            shown
                .tally
                .disagree
                .saturating_add(shown.tally.block)
                .saturating_add(t.against),
            shown.tally.abstain.saturating_add(t.abstain),
        ],
        outcome: shown.outcome.as_str().to_owned(),
        rule: shown.proposal.rule.to_string(),
        with_affiliates: t.outcome,
        decided_with_affiliates_at: t.decided_at,
        answers_until: t.answers_until,
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::ops::links::{LinkRequest, propose};
    use crate::ops::statements::{StatementDraftRequest, StatementExportRequest, draft, export};
    use crate::testing::{agree, replica};

    /// A coalition `name` founded on this node (its only member).
    fn found(r: &mut Replica, name: &str) -> CoalitionId {
        r.found_coalition(replica::NewCoalition {
            name: name.into(),
            frame: "Homes".into(),
            values: vec![],
            commitments: vec![],
            equity_threshold: None,
        })
        .unwrap()
    }

    /// `c`'s roster, drafted (and signed by its only member).
    fn roster(r: &mut Replica, c: &CoalitionId) -> StatementId {
        draft(
            r,
            c,
            StatementDraftRequest {
                kind: "roster".into(),
                ..Default::default()
            },
        )
        .unwrap()
    }

    /// One node, the only member of a region and of a national coalition: the region
    /// publishes its goals to the nation (one signing), the nation takes them trusting the
    /// region's first roster. The region's goal has its progress drafted and signed.
    fn linked() -> (
        tempfile::TempDir,
        Replica,
        CoalitionId,
        CoalitionId,
        StatementId,
    ) {
        let (d, mut r, region) = replica();
        let nation = found(&mut r, "National Housing Alliance");
        let goal = crate::ops::charter::add_goal(
            &mut r,
            &region,
            crate::ops::charter::NewGoalRequest {
                title: "Homes kept".into(),
                target: "100".into(),
                unit: "homes".into(),
            },
        )
        .unwrap();
        let roster = roster(&mut r, &region);
        let up = propose(
            &mut r,
            &region,
            LinkRequest {
                with: nation.to_string(),
                name: Some("National Housing Alliance".into()),
                relation: "parent".into(),
                publish: vec!["goal".into()],
                threshold: Some(1),
                ..Default::default()
            },
        )
        .unwrap();
        agree(&mut r, &region, &up);
        let down = propose(
            &mut r,
            &nation,
            LinkRequest {
                with: region.to_string(),
                name: Some("Transit Justice".into()),
                relation: "affiliate".into(),
                accept: vec!["goal".into()],
                their_threshold: Some(1),
                roster: Some(roster.hex()),
                ..Default::default()
            },
        )
        .unwrap();
        agree(&mut r, &nation, &down);
        let progress = draft(
            &mut r,
            &region,
            StatementDraftRequest {
                kind: "goal".into(),
                record: Some(goal.to_string()),
                ..Default::default()
            },
        )
        .unwrap();
        (d, r, region, nation, progress)
    }

    #[test]
    fn a_statements_file_is_imported_verified_and_listed_with_its_provenance() {
        let (_home, mut r, region, nation, progress) = linked();
        let dir = tempfile::tempdir().unwrap();
        let file = dir.path().join("region.statements");
        let file_name = file.display().to_string();
        export(
            &mut r,
            &region,
            StatementExportRequest {
                with: nation.to_string(),
                file: file_name.clone(),
            },
        )
        .unwrap();
        let import_into = |r: &mut Replica, c: &CoalitionId, file: &str| {
            import(
                r,
                c,
                StatementImportRequest {
                    file: file.to_owned(),
                },
            )
        };

        // The region is not where the file goes.
        let e = import_into(&mut r, &region, &file_name).unwrap_err();
        assert!(e.to_string().contains("written for coalition"), "{e}");
        // One byte changed.
        let mut bytes = std::fs::read(&file).unwrap();
        let changed = dir.path().join("changed.statements");
        let last = bytes.len() - 40;
        bytes[last] ^= 1;
        std::fs::write(&changed, &bytes).unwrap();
        let e = import_into(&mut r, &nation, &changed.display().to_string()).unwrap_err();
        assert!(e.to_string().contains("damaged"), "{e}");
        assert!(list(&mut r, &nation).unwrap().statements.is_empty());

        let done = import_into(&mut r, &nation, &file_name).unwrap();
        assert_eq!((done.stored, done.held), (2, 0), "{done:?}");
        assert!(done.refused.is_empty(), "{done:?}");
        assert_eq!(done.from, region.to_string());
        let again = import_into(&mut r, &nation, &file_name).unwrap();
        assert_eq!((again.stored, again.held), (0, 2));

        let got = list(&mut r, &nation).unwrap();
        let [line] = got.statements.as_slice() else {
            panic!("one statement: {got:?}");
        };
        assert_eq!(line.id, progress.hex());
        assert_eq!(line.kind, "goal");
        assert!(line.latest);
        assert_eq!((line.signed, line.members), (1, 1));
        assert!(
            line.summary.starts_with("Homes kept: no progress yet"),
            "{}",
            line.summary
        );
        assert!(
            line.provenance.starts_with(&format!(
                "from statement {}, signed by 1 of 1 members of Transit Justice, as of ",
                progress.short()
            )),
            "{}",
            line.provenance
        );
        let checked = verify(&mut r, &nation, &progress.hex()[..12]).unwrap();
        assert!(checked.verifies);
        assert_eq!(checked.statement.as_ref(), Some(line));
        let e = verify(&mut r, &nation, "ffff").unwrap_err();
        assert!(e.to_string().contains("received statement"), "{e}");
    }

    #[test]
    fn a_node_in_both_coalitions_carries_what_one_publishes_into_the_other() {
        let (_home, mut r, region, nation, progress) = linked();
        let mut refused = std::collections::HashSet::new();
        let carried = r.carry_statements(&mut refused).unwrap();
        let [c] = carried.as_slice() else {
            panic!("one pair: {carried:?}");
        };
        assert_eq!((&c.from, &c.to), (&region, &nation));
        assert_eq!(c.offers.len(), 2);
        assert!(c.offers.iter().all(|(_, o)| *o == Offer::Stored));
        assert!(refused.is_empty());
        // Nothing new the next round.
        assert!(r.carry_statements(&mut refused).unwrap().is_empty());
        let got = list(&mut r, &nation).unwrap();
        assert_eq!(got.statements.len(), 1);
        assert_eq!(got.statements[0].id, progress.hex());
        // The region takes nothing from the nation.
        assert!(list(&mut r, &region).unwrap().statements.is_empty());
    }

    /// A link that takes nothing but names the other's roster takes the other's rosters (a
    /// file of the roster chain alone, from a link that publishes nothing), so its nodes know
    /// the other side's member nodes; it takes no other kind.
    #[test]
    fn a_link_that_only_publishes_takes_the_rosters_it_pins() {
        let (_home, mut r, region, nation, _progress) = linked();
        let national_roster = roster(&mut r, &nation);
        let up = propose(
            &mut r,
            &region,
            LinkRequest {
                with: nation.to_string(),
                name: Some("National Housing Alliance".into()),
                relation: "parent".into(),
                publish: vec!["goal".into()],
                threshold: Some(1),
                roster: Some(national_roster.hex()),
                ..Default::default()
            },
        )
        .unwrap();
        agree(&mut r, &region, &up);
        assert!(
            r.linked_chains(&region).unwrap().is_empty(),
            "not received yet"
        );
        // The nation's link to the region publishes nothing: its file is the roster chain.
        let terms = r.links(&nation).unwrap()[&region].terms.clone();
        assert!(terms.publish.is_empty());
        let published = r
            .publication(&nation, &region, &terms, true)
            .unwrap()
            .unwrap();
        assert_eq!((published.rosters, published.statements), (1, 0));
        let dir = tempfile::tempdir().unwrap();
        let file = dir.path().join("roster.statements");
        let done = export(
            &mut r,
            &nation,
            StatementExportRequest {
                with: region.to_string(),
                file: file.display().to_string(),
            },
        )
        .unwrap();
        assert_eq!((done.rosters, done.statements), (1, 0));
        let member = r.identity().node_key();
        let passed = r.receive_passed(&member, &published.file.encode()).unwrap();
        assert!(
            matches!(passed.offers.as_slice(), [(_, Offer::Stored)]),
            "{passed:?}"
        );
        let chains = r.linked_chains(&region).unwrap();
        assert_eq!(chains[&nation].newest_id(), national_roster);
    }

    #[test]
    fn statements_a_peer_passes_are_taken_only_from_a_member_node_of_the_publisher() {
        use replica::PassedError;
        let (_home, mut r, region, nation, progress) = linked();
        let terms = r.links(&region).unwrap()[&nation].terms.clone();
        let published = r
            .publication(&region, &nation, &terms, true)
            .unwrap()
            .unwrap();
        assert_eq!((published.rosters, published.statements), (1, 1));
        let bytes = published.file.encode();
        // The region's member node: this node's key (the roster lists it).
        let member = r.identity().node_key();
        let stranger = model::NodeKey::from_bytes([7; 32]);

        // A node the region's roster does not list relays the region's own statements: nothing
        // is stored, whatever they prove.
        let e = r.receive_passed(&stranger, &bytes).unwrap_err();
        assert!(matches!(e, PassedError::NotAMember { .. }), "{e}");
        assert!(e.counts());
        assert!(list(&mut r, &nation).unwrap().statements.is_empty());
        // One byte changed; a file for a coalition not held here; one for the region, which
        // takes nothing from the nation.
        let mut changed = bytes.clone();
        changed[bytes.len() / 2] ^= 1;
        let e = r.receive_passed(&member, &changed).unwrap_err();
        assert!(e.to_string().contains("damaged"), "{e}");
        let elsewhere = StatementsFile {
            to: [9; 16],
            ..published.file.clone()
        };
        let e = r.receive_passed(&member, &elsewhere.encode()).unwrap_err();
        assert!(matches!(e, PassedError::NotHere(_)), "{e}");
        let backwards = StatementsFile {
            from: nation.to_bytes(),
            to: region.to_bytes(),
            ..published.file.clone()
        };
        let e = r.receive_passed(&member, &backwards.encode()).unwrap_err();
        assert!(matches!(e, PassedError::NotLinked { .. }), "{e}");
        // The progress with its signature taken off: refused and logged, but not counted (the
        // publisher's threshold may be lower than ours). With its signature changed, a forgery:
        // refused and counted against the peer.
        let mut unsigned = model::federation::Signed::decode(&published.file.items[1]).unwrap();
        unsigned.cosigns.clear();
        let short = StatementsFile {
            items: vec![published.file.items[0].clone(), unsigned.encode()],
            ..published.file.clone()
        };
        let done = r.receive_passed(&member, &short.encode()).unwrap();
        assert!(
            done.offers.iter().any(
                |(_, o)| matches!(o, Offer::Refused(e) if e.to_string().contains("signed by 0"))
            ),
            "{done:?}"
        );
        // Passed by a node this side told it takes at least one signer: it knew the statement
        // would not count, so it is counted against it.
        let told = |kinds: &[model::federation::Kind]| model::federation::LinkTakes {
            threshold: 1,
            kinds: model::federation::LinkTakes::kinds_of(kinds.iter().copied()),
        };
        let goals = told(&[model::federation::Kind::Goal]);
        let e = r
            .receive_passed_told(&member, &short.encode(), |f, t| {
                (*f == region && *t == nation).then_some(goals)
            })
            .unwrap_err();
        assert!(
            e.counts()
                && e.to_string()
                    .contains("told that this side takes at least 1"),
            "{e}"
        );
        // An issue of the region, signed by its member, which the nation's link does not take:
        // refused; counted against the sender only where every greeting told it the nation
        // takes no issues.
        let issue = crate::ops::issues::create(
            &mut r,
            &region,
            crate::ops::issues::NewIssueRequest {
                title: "Evictions".into(),
                ..Default::default()
            },
        )
        .unwrap();
        let id = draft(
            &mut r,
            &region,
            StatementDraftRequest {
                kind: "issue".into(),
                record: Some(issue.to_string()),
                ..Default::default()
            },
        )
        .unwrap();
        let signed_issue = r.drafts(&region).unwrap()[&id].signed();
        let of_kind = StatementsFile {
            items: vec![published.file.items[0].clone(), signed_issue.encode()],
            ..published.file.clone()
        };
        let not_taken = |o: &Offer| matches!(o, Offer::Refused(e) if e.to_string().contains("does not take issue"));
        let done = r.receive_passed(&member, &of_kind.encode()).unwrap();
        assert!(done.offers.iter().any(|(_, o)| not_taken(o)), "{done:?}");
        let issues_too = told(&[
            model::federation::Kind::Goal,
            model::federation::Kind::Issue,
        ]);
        let done = r
            .receive_passed_told(&member, &of_kind.encode(), |_, _| Some(issues_too))
            .unwrap();
        assert!(done.offers.iter().any(|(_, o)| not_taken(o)), "{done:?}");
        let e = r
            .receive_passed_told(&member, &of_kind.encode(), |_, _| Some(goals))
            .unwrap_err();
        assert!(
            e.counts()
                && e.to_string()
                    .contains("never told that this side takes them"),
            "{e}"
        );
        let mut changed = model::federation::Signed::decode(&published.file.items[1]).unwrap();
        changed.cosigns[0].signature[0] ^= 1;
        let forged = StatementsFile {
            items: vec![published.file.items[0].clone(), changed.encode()],
            ..published.file.clone()
        };
        let e = r.receive_passed(&member, &forged.encode()).unwrap_err();
        assert!(
            matches!(
                &e,
                PassedError::Refused {
                    refused: 1,
                    offered: 2,
                    ..
                }
            ) && e.counts(),
            "{e}"
        );
        assert!(list(&mut r, &nation).unwrap().statements.is_empty());
        // A roster 2 superseding the region's roster 1 that no majority of it signed (a key
        // no roster lists): no chain takes it after roster 1, so no honest node passes it.
        let first = model::federation::Signed::decode(&published.file.items[0]).unwrap();
        let opened = first.open().unwrap();
        let next = model::federation::Statement {
            sequence: opened.statement.sequence + 1,
            roster: opened.statement.sequence,
            supersedes: Some(opened.id.0),
            as_of: opened.statement.as_of + 1000,
            ..opened.statement.clone()
        };
        let mut forged_roster = model::federation::Signed::new(&next).unwrap();
        forged_roster.sign(&[9; 32]).unwrap();
        let forged = StatementsFile {
            items: vec![published.file.items[0].clone(), forged_roster.encode()],
            ..published.file.clone()
        };
        let e = r.receive_passed(&member, &forged.encode()).unwrap_err();
        assert!(
            e.counts()
                && e.to_string()
                    .contains("does not follow the roster it supersedes"),
            "{e}"
        );
        // A statement signed only by a key no roster here lists (a member's new node may sign
        // before a roster lists it): refused, not counted, under roster 1 or a roster 2 not
        // seen; passed by a node told this side takes one signer, counted.
        let progress_statement = model::federation::Signed::decode(&published.file.items[1])
            .unwrap()
            .open()
            .unwrap()
            .statement;
        let by_stranger = |roster| {
            let mut s = model::federation::Signed::new(&model::federation::Statement {
                roster,
                sequence: progress_statement.sequence + 1,
                ..progress_statement.clone()
            })
            .unwrap();
            s.sign(&[9; 32]).unwrap();
            StatementsFile {
                items: vec![published.file.items[0].clone(), s.encode()],
                ..published.file.clone()
            }
            .encode()
        };
        for roster in [opened.statement.sequence, opened.statement.sequence + 1] {
            let done = r.receive_passed(&member, &by_stranger(roster)).unwrap();
            assert!(
                matches!(done.offers.as_slice(), [.., (_, Offer::Refused(_))]),
                "{done:?}"
            );
        }
        let e = r
            .receive_passed_told(&member, &by_stranger(opened.statement.sequence), |_, _| {
                Some(goals)
            })
            .unwrap_err();
        assert!(e.counts(), "{e}");

        // From a member node of the region: taken, as an imported file would be.
        let passed = r.receive_passed(&member, &bytes).unwrap();
        assert_eq!((&passed.from, &passed.to), (&region, &nation));
        assert!(
            passed
                .offers
                .iter()
                .any(|(id, o)| *id == progress && *o == Offer::Stored),
            "{passed:?}"
        );
        let again = r.receive_passed(&member, &bytes).unwrap();
        assert!(again.offers.iter().all(|(_, o)| *o == Offer::Held));
        assert_eq!(
            list(&mut r, &nation).unwrap().statements[0].id,
            progress.hex()
        );
        // What the nation takes from the region, told to the region's member nodes (and to
        // no one else) in each greeting; read once while nothing moves.
        let takes = r.takes_from(&member);
        assert!(
            matches!(takes.as_slice(), [(f, t, k)] if *f == region && *t == nation && *k == goals),
            "{takes:?}"
        );
        assert_eq!(r.takes_from(&member), takes);
        assert!(r.takes_from(&stranger).is_empty());
        // The region's member nodes are the nation's linked nodes (this node's own key left
        // out).
        assert_eq!(r.linked_chains(&nation).unwrap().len(), 1);
        assert!(r.linked_nodes().unwrap().is_empty());
    }

    /// A region founded on this node: a goal with progress `homes`, an issue tagged `tags`
    /// shared at rank 1, linked up to `nation` publishing issues and goals (one signing), with
    /// its roster, the goal and the issue drafted and signed; the nation takes it as an
    /// affiliate of weight `weight`.
    fn region(
        r: &mut Replica,
        nation: &CoalitionId,
        name: &str,
        homes: &str,
        tags: &[&str],
        weight: Option<&str>,
    ) -> CoalitionId {
        let c = found(r, name);
        let goal = crate::ops::charter::add_goal(
            r,
            &c,
            crate::ops::charter::NewGoalRequest {
                title: "Homes kept".into(),
                target: "100".into(),
                unit: "homes".into(),
            },
        )
        .unwrap();
        crate::ops::charter::record_progress(
            r,
            &c,
            goal.as_str(),
            crate::ops::charter::ProgressRequest {
                value: homes.into(),
                date: Some("2026-11-20".into()),
                note: String::new(),
            },
        )
        .unwrap();
        let issue = crate::ops::issues::create(
            r,
            &c,
            crate::ops::issues::NewIssueRequest {
                title: format!("Evictions in {name}"),
                tags: tags.iter().map(|t| (*t).to_owned()).collect(),
                ..Default::default()
            },
        )
        .unwrap();
        crate::ops::issues::share(
            r,
            &c,
            issue.as_str(),
            crate::ops::issues::ShareRequest { rank: 1 },
        )
        .unwrap();
        let roster = roster(r, &c);
        let up = propose(
            r,
            &c,
            LinkRequest {
                with: nation.to_string(),
                name: Some("National Housing Alliance".into()),
                relation: "parent".into(),
                publish: vec!["goal".into(), "issue".into()],
                threshold: Some(1),
                ..Default::default()
            },
        )
        .unwrap();
        agree(r, &c, &up);
        for (kind, record) in [("goal", goal.to_string()), ("issue", issue.to_string())] {
            draft(
                r,
                &c,
                StatementDraftRequest {
                    kind: kind.into(),
                    record: Some(record),
                    ..Default::default()
                },
            )
            .unwrap();
        }
        let down = propose(
            r,
            nation,
            LinkRequest {
                with: c.to_string(),
                name: Some(name.into()),
                relation: "affiliate".into(),
                accept: vec!["goal".into(), "issue".into()],
                their_threshold: Some(1),
                roster: Some(roster.hex()),
                weight: weight.map(str::to_owned),
                ..Default::default()
            },
        )
        .unwrap();
        agree(r, nation, &down);
        c
    }

    #[test]
    fn the_affiliates_picture_rolls_up_two_regions_with_provenance() {
        let (_home, mut r, nation) = replica();
        region(
            &mut r,
            &nation,
            "Coastal Housing",
            "30",
            &["evictions", "rent"],
            Some("3"),
        );
        region(
            &mut r,
            &nation,
            "Valley Housing",
            "60",
            &["evictions"],
            Some("1"),
        );
        let mut refused = std::collections::HashSet::new();
        r.carry_statements(&mut refused).unwrap();
        assert!(refused.is_empty());
        let v = affiliates(&mut r, &nation).unwrap();
        let names: Vec<_> = v
            .affiliates
            .iter()
            .map(|a| (a.name.as_str(), a.weight, a.members))
            .collect();
        assert_eq!(names.len(), 2);
        assert!(
            names.contains(&("Coastal Housing", 3, Some(1))),
            "{names:?}"
        );
        assert_eq!(v.issues.len(), 2);
        assert!(v.issues.iter().all(|i| i.sharing == 1 && i.members == 1));
        assert_eq!(v.overlap[0].tag, "evictions");
        assert_eq!(v.overlap[0].affiliates.len(), 2);
        assert_eq!(v.overlap[1].tag, "rent");
        let [sum] = v.goal_sums.as_slice() else {
            panic!("one unit: {:?}", v.goal_sums);
        };
        assert_eq!((sum.progress.as_str(), sum.target.as_str()), ("90", "200"));
        assert_eq!(sum.by_target.as_deref(), Some("45.0"));
        // (3 × 30% + 1 × 60%) / 4
        assert_eq!(sum.by_weight.as_deref(), Some("37.5"));
        let coastal = v
            .goals
            .iter()
            .find(|g| g.from == "Coastal Housing")
            .unwrap();
        assert_eq!(coastal.progress.as_deref(), Some("30"));
        assert!(
            coastal
                .provenance
                .contains("signed by 1 of 1 members of Coastal Housing, as of "),
            "{}",
            coastal.provenance
        );
        let checked = verify(&mut r, &nation, &coastal.source.statement).unwrap();
        assert!(checked.verifies);
    }

    fn proposal(r: &mut Replica, c: &CoalitionId, title: &str) -> model::ProposalId {
        crate::ops::proposals::create(
            r,
            c,
            crate::ops::proposals::NewProposalRequest {
                kind: "general".into(),
                title: title.into(),
                closes: Some("7d".into()),
                ..Default::default()
            },
        )
        .unwrap()
    }

    fn drafted(
        r: &mut Replica,
        c: &CoalitionId,
        kind: &str,
        record: &str,
        call: Option<String>,
    ) -> StatementId {
        draft(
            r,
            c,
            StatementDraftRequest {
                kind: kind.into(),
                record: Some(record.into()),
                call,
                ..Default::default()
            },
        )
        .unwrap()
    }

    /// A region linked both ways with `nation` (calls down, mandates up), weight `weight`.
    fn both_ways(
        r: &mut Replica,
        nation: &CoalitionId,
        national_roster: StatementId,
        name: &str,
        weight: &str,
    ) -> CoalitionId {
        let c = found(r, name);
        let roster = roster(r, &c);
        let up = propose(
            r,
            &c,
            LinkRequest {
                with: nation.to_string(),
                name: Some("National Housing Alliance".into()),
                relation: "parent".into(),
                publish: vec!["mandate".into()],
                threshold: Some(1),
                accept: vec!["call".into()],
                their_threshold: Some(1),
                roster: Some(national_roster.hex()),
                ..Default::default()
            },
        )
        .unwrap();
        agree(r, &c, &up);
        let down = propose(
            r,
            nation,
            LinkRequest {
                with: c.to_string(),
                name: Some(name.into()),
                relation: "affiliate".into(),
                publish: vec!["call".into()],
                threshold: Some(1),
                accept: vec!["mandate".into()],
                their_threshold: Some(1),
                roster: Some(roster.hex()),
                weight: Some(weight.into()),
                ..Default::default()
            },
        )
        .unwrap();
        agree(r, nation, &down);
        c
    }

    #[test]
    fn a_call_goes_down_to_affiliates_and_their_mandates_come_back_weighted() {
        let (_home, mut r, nation) = replica();
        let national_roster = roster(&mut r, &nation);
        let coastal = both_ways(&mut r, &nation, national_roster, "Coastal Housing", "3");
        let valley = both_ways(&mut r, &nation, national_roster, "Valley Housing", "1");
        let question = proposal(&mut r, &nation, "Back the national rent cap");
        let call = drafted(&mut r, &nation, "call", question.as_str(), None);
        let mut refused = std::collections::HashSet::new();
        r.carry_statements(&mut refused).unwrap();
        assert!(refused.is_empty(), "{refused:?}");

        // Each region decides under its own rule; its outcome becomes its position.
        let yes = proposal(&mut r, &coastal, "Back the cap");
        agree(&mut r, &coastal, &yes);
        let no = proposal(&mut r, &valley, "Back the cap");
        crate::ops::proposals::take_position(
            &mut r,
            &valley,
            no.as_str(),
            crate::ops::proposals::PositionRequest {
                stance: "block".into(),
                reason: "Not ours to back".into(),
            },
        )
        .unwrap();
        let open = proposal(&mut r, &valley, "Still open");
        let e = draft(
            &mut r,
            &valley,
            StatementDraftRequest {
                kind: "mandate".into(),
                record: Some(open.to_string()),
                call: Some(call.hex()[..10].to_owned()),
                ..Default::default()
            },
        )
        .unwrap_err();
        assert!(e.to_string().contains("not decided yet"), "{e}");
        drafted(&mut r, &coastal, "mandate", yes.as_str(), Some(call.hex()));
        drafted(&mut r, &valley, "mandate", no.as_str(), Some(call.hex()));
        r.carry_statements(&mut refused).unwrap();
        assert!(refused.is_empty(), "{refused:?}");

        let v = mandates(&mut r, &nation, question.as_str()).unwrap();
        assert_eq!(
            (v.weight_for, v.weight_against, v.weight_silent),
            (3, 1, 0),
            "{v:?}"
        );
        let coastal_line = v
            .affiliates
            .iter()
            .find(|a| a.from == "Coastal Housing")
            .unwrap();
        assert_eq!(coastal_line.position.as_deref(), Some("for"));
        assert_eq!(coastal_line.decided_by.as_deref(), Some(yes.as_str()));
        let valley_line = v
            .affiliates
            .iter()
            .find(|a| a.from == "Valley Housing")
            .unwrap();
        assert_eq!(valley_line.position.as_deref(), Some("against"));
        assert_eq!(valley_line.counts, Some([0, 0, 0, 1]));
        assert!(
            valley_line
                .provenance
                .as_deref()
                .unwrap()
                .contains("of Valley Housing")
        );
        assert_eq!(v.members, [0, 0, 0, 0]);
        assert_eq!(v.together, [3, 1, 0]);
        // Counted under the nation's rule (majority), our one member silent: 3 of 5 for and
        // 1 against, open until the question closes.
        let t = v.with_affiliates.unwrap();
        assert_eq!(
            (t.outcome, t.electorate, t.agree, t.disagree, t.pending),
            (model::Outcome::Open, 5, 3, 1, 1),
            "{v:?}"
        );
        assert_eq!(v.outcome, "open");
        assert!(v.decided_with_affiliates_at.is_none());
        // Regions' positions carried in until a week after the close count.
        let closes = r.proposal(&nation, &question).unwrap().unwrap().closes_at;
        assert_eq!(
            v.answers_until,
            closes.map(model::reports::affiliates::answers_until)
        );
        // A question no call asked: no region is a party to it.
        let unasked = proposal(&mut r, &nation, "Back the national tenant union");
        let other = mandates(&mut r, &nation, unasked.as_str()).unwrap();
        assert!(other.affiliates.is_empty(), "{other:?}");
        assert_eq!(other.with_affiliates.map(|t| t.electorate), Some(1));
        // The decision, stated to whoever it goes to, says so too: counts with their weights.
        let decision = drafted(&mut r, &nation, "decision", question.as_str(), None);
        let drafts = r.drafts(&nation).unwrap();
        let Some(model::federation::Value::Decision(d)) =
            drafts.get(&decision).map(|d| &d.statement.value)
        else {
            panic!("no decision drafted: {drafts:?}");
        };
        assert_eq!(
            (d.outcome.as_str(), d.counts.agree, d.counts.disagree),
            ("open", 3, 1),
            "{d:?}"
        );
        assert!(d.closed_at.is_none(), "{d:?}");
    }

    #[test]
    fn a_proposal_answering_a_call_becomes_the_mandate_position_on_its_own() {
        use crate::ops::proposals::{NewProposalRequest, create};
        let (_home, mut r, nation) = replica();
        let national_roster = roster(&mut r, &nation);
        let coastal = both_ways(&mut r, &nation, national_roster, "Coastal Housing", "3");
        let question = proposal(&mut r, &nation, "Back the national rent cap");
        let call = drafted(&mut r, &nation, "call", question.as_str(), None);
        let mut refused = std::collections::HashSet::new();
        r.carry_statements(&mut refused).unwrap();
        let answer = |r: &mut Replica, kind: &str, call: &str, closes: Option<&str>| {
            create(
                r,
                &coastal,
                NewProposalRequest {
                    kind: kind.into(),
                    title: "Back the cap".into(),
                    closes: closes.map(str::to_owned),
                    answers: Some(call.to_owned()),
                    ..Default::default()
                },
            )
        };
        // Only a general proposal, only a call received, never closing after it.
        let e = answer(&mut r, "public-statement", &call.hex(), None).unwrap_err();
        assert!(e.to_string().contains("general proposal"), "{e}");
        let e = answer(&mut r, "general", "ffff", None).unwrap_err();
        assert!(e.to_string().contains("call received"), "{e}");
        let e = answer(&mut r, "general", &call.hex()[..10], Some("30d")).unwrap_err();
        assert!(e.to_string().contains("closes when the call does"), "{e}");

        let yes = answer(&mut r, "general", &call.hex()[..10], None).unwrap();
        let p = r.proposal(&coastal, &yes).unwrap().unwrap();
        assert_eq!(p.answers.as_deref(), Some(call.hex().as_str()));
        let q = r.proposal(&nation, &question).unwrap().unwrap();
        assert_eq!(p.closes_at, q.closes_at, "it closes when the call does");
        let headers = r.proposal_headers(&coastal).unwrap();
        assert_eq!(headers[&yes].answers, Some(call));

        // Open: nothing drafted. Decided: drafted once, by the author's node.
        let mut tried = std::collections::HashSet::new();
        assert!(r.draft_mandates(&mut tried).unwrap().is_empty());
        agree(&mut r, &coastal, &yes);
        let made = r.draft_mandates(&mut tried).unwrap();
        let [(c, id)] = made.as_slice() else {
            panic!("one mandate drafted: {made:?}");
        };
        assert_eq!(c, &coastal);
        assert!(r.draft_mandates(&mut tried).unwrap().is_empty());
        let drafts = r.drafts(&coastal).unwrap();
        let Value::Mandate(m) = &drafts[id].statement.value else {
            panic!("a mandate position");
        };
        assert_eq!(m.position, model::federation::Position::For);
        assert_eq!(m.call, call.0);
        // Another call cannot take this proposal's outcome as its answer.
        let other = proposal(&mut r, &nation, "Back the national tenant union");
        let second = drafted(&mut r, &nation, "call", other.as_str(), None);
        r.carry_statements(&mut refused).unwrap();
        let e = draft(
            &mut r,
            &coastal,
            StatementDraftRequest {
                kind: "mandate".into(),
                record: Some(yes.to_string()),
                call: Some(second.hex()),
                ..Default::default()
            },
        )
        .unwrap_err();
        assert!(e.to_string().contains("answers another call"), "{e}");

        r.carry_statements(&mut refused).unwrap();
        let v = mandates(&mut r, &nation, question.as_str()).unwrap();
        assert_eq!((v.weight_for, v.weight_against), (3, 0), "{v:?}");
    }
}
