//! Proposals of every kind, and members' positions on them.

use super::*;

impl CoalitionDoc {
    /// Opens a proposal; the electorate is the membership now, the rule the charter's rule
    /// for its kind now.
    pub fn new_proposal(
        &mut self,
        by: &MemberId,
        new: NewProposal,
        at: Timestamp,
    ) -> Result<(), EditError> {
        // Each of these kinds has its effect only when opened by the edit that gives it its
        // subject: opened bare, it would pass and do nothing (or ratify an unchanged charter).
        let opened_by = match new.kind {
            DecisionKind::Membership => Some(
                "membership proposals are opened by `member remove` or by an invite when the \
                 charter admits members by vote",
            ),
            DecisionKind::Amendment => Some(
                "amendments are opened by `charter amend`, which says what they change in the \
                 charter",
            ),
            DecisionKind::Allocation => Some(
                "allocation proposals are opened by `pool request`, which says how much from \
                 which pool",
            ),
            DecisionKind::Link => Some(
                "link proposals are opened by `link propose` (or `link end`), which says the \
                 link's terms",
            ),
            _ => None,
        };
        if let Some(why) = opened_by {
            return Err(EditError::Refused { why: why.into() });
        }
        self.edit_governed(by, "open proposal", at, |doc, gov| {
            open_proposal(doc, gov, by, &new, Subject::default(), at)
        })
    }

    /// Opens a general proposal answering `call`, a call statement this coalition received
    /// from a coalition it is an affiliate of and that verifies now: its outcome is this
    /// coalition's mandate position on the call. It closes when the call does (`new` may say
    /// no other time): so no member can open one that closes before the others could take a
    /// position, and the first answer opened is the one members' nodes sign on their own.
    pub fn propose_answer(
        &mut self,
        by: &MemberId,
        new: NewProposal,
        call: federation::StatementId,
        at: Timestamp,
    ) -> Result<(), EditError> {
        let links = self.links_at(at);
        let received = crate::received::received(self);
        let linked = crate::received::from_linked(self.id(), &received, &links);
        let asked = linked.values().find_map(|l| {
            l.verified
                .iter()
                .find(|v| v.id == call)
                .and_then(|v| match &v.statement.value {
                    federation::Value::Call(c) => Some(c.clone()),
                    _ => None,
                })
        });
        let Some(asked) = asked else {
            return Err(EditError::Refused {
                why: format!(
                    "no call {} received here verifies (`statement received` lists them)",
                    call.short()
                ),
            });
        };
        if !asked.mandate {
            return Err(EditError::Refused {
                why: format!(
                    "call {} only informs: it asks no position to answer",
                    call.short()
                ),
            });
        }
        let closes = Timestamp::from_millis(asked.closes_at);
        if closes <= at {
            return Err(EditError::Refused {
                why: format!("the call closed on {closes}: a position now answers nothing"),
            });
        }
        let closes_at = match new.closes_at {
            Some(c) if c != closes => {
                return Err(EditError::Refused {
                    why: format!("an answer to a call closes when the call does ({closes})"),
                });
            }
            _ => closes,
        };
        let new = NewProposal {
            kind: DecisionKind::General,
            closes_at: Some(closes_at),
            ..new
        };
        self.edit_governed(by, "propose an answer", at, |doc, gov| {
            let what = Subject {
                answers: Some(call.hex()),
                ..Subject::default()
            };
            open_proposal(doc, gov, by, &new, what, at)
        })
    }

    /// Opens an amendment to the charter; once it passes under the charter's amendment rule,
    /// it becomes the next charter version on every node.
    pub fn propose_amendment(
        &mut self,
        by: &MemberId,
        new: NewProposal,
        amendment: Amendment,
        at: Timestamp,
    ) -> Result<(), EditError> {
        let amendment = amendment_checked(amendment)?;
        let new = NewProposal {
            kind: DecisionKind::Amendment,
            ..new
        };
        self.edit_governed(by, "propose amendment", at, |doc, gov| {
            let what = Subject {
                amendment: Some(amendment),
                ..Subject::default()
            };
            open_proposal(doc, gov, by, &new, what, at)
        })
    }

    /// Opens a link proposal: once it passes under the charter's link rule (the amendment
    /// rule unless it names one), the link with `terms.coalition` is in force on this side on
    /// those terms, or ends (`reports::links`).
    pub fn propose_link(
        &mut self,
        by: &MemberId,
        new: NewProposal,
        terms: crate::schema::LinkTerms,
        at: Timestamp,
    ) -> Result<(), EditError> {
        let mut terms = terms;
        terms.name = short("name of the other coalition", &terms.name)?;
        // Bounded before each is read; duplicates go before the count is checked.
        let most = 4 * crate::doc::MAX_LIST;
        if terms.tags.len() > most || terms.goals.len() > most || terms.pools.len() > most {
            return Err(EditError::Refused {
                why: format!(
                    "a link names at most {} tags, goals and pools",
                    crate::doc::MAX_LIST
                ),
            });
        }
        terms.tags = terms
            .tags
            .iter()
            .map(|t| crate::values::normalize_tag(t))
            .collect::<Result<_, _>>()?;
        terms.in_order();
        if let Some(why) = crate::schema::link_problem(self.id(), &terms) {
            return Err(EditError::Refused { why });
        }
        if new.closes_at.is_none() {
            return Err(EditError::Refused {
                why: "a link proposal closes: give it a closing time".into(),
            });
        }
        let new = NewProposal {
            kind: DecisionKind::Link,
            ..new
        };
        self.edit_governed(by, "propose link", at, |doc, gov| {
            for goal in &terms.goals {
                record_in(doc, &["charter", "goals"], goal.as_str(), "goal")?;
            }
            for pool in &terms.pools {
                record_in(doc, &["pools"], pool.as_str(), "pool")?;
            }
            let what = Subject {
                link: Some(terms),
                ..Subject::default()
            };
            open_proposal(doc, gov, by, &new, what, at)
        })
    }

    /// Opens a membership proposal to remove `member`, decided by the other members under
    /// the charter's membership rule.
    pub fn propose_removal(
        &mut self,
        by: &MemberId,
        member: &MemberId,
        new: NewProposal,
        at: Timestamp,
    ) -> Result<MemberId, EditError> {
        self.edit_governed(by, "propose removal", at, |doc, gov| {
            let member = known_member(gov, member)?;
            let new = NewProposal {
                kind: DecisionKind::Membership,
                title: if new.title.trim().is_empty() {
                    format!("Remove {}", member_name(doc, member.as_str()))
                } else {
                    new.title
                },
                ..new
            };
            let what = Subject {
                subject: Some(crate::schema::Subject::Remove(member.clone())),
                ..Subject::default()
            };
            open_proposal(doc, gov, by, &new, what, at)?;
            Ok(member)
        })
    }

    /// Opens a general proposal decided by a poll among `poll`'s options, counted by its
    /// method from members' ballots; a poll closes (its ballots then stop counting), so the
    /// closing time is required.
    pub fn open_poll(
        &mut self,
        by: &MemberId,
        new: NewProposal,
        poll: crate::schema::PollSpec,
        at: Timestamp,
    ) -> Result<(), EditError> {
        let refuse = |why: String| Err(EditError::Refused { why });
        if new.closes_at.is_none() {
            return refuse("a poll closes: give it a closing time".to_owned());
        }
        // Bounded before each is read (the count is checked again with the rest below).
        let most = crate::poll::MAX_OPTIONS;
        if poll.options.len() > most || poll.candidates.len() > most || poll.requests.len() > most {
            return refuse(format!("a poll lists at most {most} options"));
        }
        self.edit_governed(by, "open poll", at, |doc, gov| {
            let mut poll = poll;
            // An election's options are its candidates' names, a budget's its requests (with
            // their asks): written here, as every node checks them (`schema::written`), from
            // the document as it is now (a rename is not the governance's to carry).
            let ledger = match &poll.pool {
                Some(pool) => {
                    record_in(doc, &["pools"], pool.as_str(), "pool")?;
                    Some(read_at::<crate::schema::Pool>(
                        doc,
                        &["pools", pool.as_str()],
                    )?)
                }
                None => None,
            };
            let entries: Vec<_> = ledger.as_ref().map_or_else(Vec::new, |l| {
                poll.requests
                    .iter()
                    .map(|e| l.ledger.get(e).cloned())
                    .collect()
            });
            let name = |m: &MemberId| read_at::<String>(doc, &["members", m.as_str(), "name"]).ok();
            let written =
                crate::schema::written(&poll, |m| gov.members.contains_key(m), &entries, name)
                    .map_err(|why| EditError::Refused { why })?;
            if let Some(w) = written {
                poll.options = w.options;
                if poll.pool.is_some() {
                    poll.asks = w.asks;
                }
            }
            // One an earlier poll decided (funded, or found the pool short) is decided.
            if let Some(ledger) = &ledger {
                let funds = super::pools::funds_in(doc, ledger, at);
                if let Some(e) = poll.requests.iter().find(|e| {
                    !matches!(
                        funds.requests.get(*e),
                        None | Some(crate::reports::Funding::NotDecided)
                    )
                }) {
                    return Err(EditError::Refused {
                        why: format!("request {e} was decided by an earlier poll"),
                    });
                }
            }
            if let Some(why) = crate::schema::poll_kind_problem(new.kind, &poll) {
                return Err(EditError::Refused { why });
            }
            poll.options = poll
                .options
                .iter()
                .map(|o| short("poll option", o))
                .collect::<Result<Vec<String>, _>>()?;
            if let Some(why) =
                crate::poll::spec_problem(poll.method, &poll.options, &poll.asks_hundredths())
                    .or_else(|| {
                        crate::poll::issues_problem(poll.method, poll.options.len(), &poll.issues)
                    })
            {
                return Err(EditError::Refused { why });
            }
            for issue in &poll.issues {
                record_in(doc, &["issues"], issue.as_str(), "issue")?;
            }
            let what = Subject {
                poll: Some(poll),
                ..Subject::default()
            };
            open_proposal(doc, gov, by, &new, what, at)
        })
    }

    /// Records (or changes) the acting member's ballot in an open poll.
    pub fn cast_ballot(
        &mut self,
        by: &MemberId,
        proposal: &ProposalId,
        ballot: crate::poll::Ballot,
        at: Timestamp,
    ) -> Result<ProposalId, EditError> {
        self.edit(by, "cast ballot", at, |doc| {
            record_in(doc, &["proposals"], proposal.as_str(), "proposal")?;
            let p: crate::schema::PollRead = read_at(doc, &["proposals", proposal.as_str()])?;
            let refuse = |why: String| Err(EditError::Refused { why });
            let Some(poll) = &p.poll else {
                return refuse(format!(
                    "proposal {proposal} is no poll: take a position on it instead"
                ));
            };
            if !p.electorate.iter().any(|m| m == by.as_str()) {
                return Err(EditError::NotInElectorate {
                    id: proposal.to_string(),
                    member: by.to_string(),
                });
            }
            if let Some(closed) = p.closes_at.filter(|c| at >= *c) {
                return refuse(format!("the poll closed at {closed}"));
            }
            if let Err(e) = crate::poll::check(
                poll.method,
                poll.options.len(),
                p.weight_of(by.as_str()),
                &ballot,
            ) {
                return refuse(e.to_string());
            }
            let ballots = map_at(doc, &["proposals", proposal.as_str(), "ballots"])?;
            reconcile_prop(
                doc,
                &ballots,
                by.as_str(),
                crate::schema::BallotRecord { ballot, at },
            )?;
            Ok(proposal.clone())
        })
    }

    /// Records (or changes) the acting member's position on an open proposal.
    pub fn take_position(
        &mut self,
        by: &MemberId,
        proposal: &ProposalId,
        stance: Stance,
        reason: &str,
        at: Timestamp,
    ) -> Result<ProposalId, EditError> {
        let reason = optional_short("reason", reason)?;
        if stance == Stance::Block && crate::values::is_blank(&reason) {
            return Err(EditError::BlockWithoutReason);
        }
        self.edit(by, "take position", at, |doc| {
            record_in(doc, &["proposals"], proposal.as_str(), "proposal")?;
            let p: Proposal = read_at(doc, &["proposals", proposal.as_str()])?;
            if p.poll.is_some() {
                return Err(EditError::Refused {
                    why: format!("proposal {proposal} is a poll: cast a ballot in it instead"),
                });
            }
            if !p.electorate.iter().any(|m| m == by.as_str()) {
                return Err(EditError::NotInElectorate {
                    id: proposal.to_string(),
                    member: by.to_string(),
                });
            }
            let outcome = crate::reports::proposal_tally(&p, at).outcome;
            if outcome != Outcome::Open {
                return Err(EditError::ProposalDecided {
                    id: proposal.to_string(),
                    outcome,
                });
            }
            let positions = map_at(doc, &["proposals", proposal.as_str(), "positions"])?;
            reconcile_prop(
                doc,
                &positions,
                by.as_str(),
                PositionRecord { stance, reason, at },
            )?;
            Ok(proposal.clone())
        })
    }
}

/// Most weight changes one amendment makes (the rules refuse more on receipt).
pub(crate) const MAX_WEIGHT_CHANGES: usize = crate::MAX_LIST;

/// What is wrong with an amendment's weight changes as the rules on receipt judge them: too
/// many, one member's weight in one kind changed twice, or a kind no poll decides (polls are
/// general proposals and budget allocations: a weight in another kind would weigh nothing).
pub(crate) fn weights_problem(weights: &[crate::schema::WeightChange]) -> Option<String> {
    if weights.len() > MAX_WEIGHT_CHANGES {
        return Some(format!(
            "an amendment changes at most {MAX_WEIGHT_CHANGES} weights (this one {})",
            weights.len()
        ));
    }
    let mut seen = std::collections::BTreeSet::new();
    for w in weights {
        if !matches!(
            w.kind,
            crate::values::DecisionKind::General
                | crate::values::DecisionKind::Allocation
                | crate::values::DecisionKind::Role
        ) {
            return Some(format!(
                "only general decisions, allocations and role elections are decided by polls: \
                 a weight in {} decisions would weigh nothing",
                w.kind
            ));
        }
        if !seen.insert((w.kind, &w.member)) {
            return Some(format!(
                "member {}'s {} weight is changed twice",
                w.member, w.kind
            ));
        }
    }
    None
}

/// An amendment with its texts trimmed and checked.
pub(super) fn amendment_checked(a: Amendment) -> Result<Amendment, EditError> {
    let a = Amendment {
        frame: a.frame.as_deref().map(|f| long("frame", f)).transpose()?,
        add_values: short_list("values", &a.add_values)?,
        add_commitments: short_list("commitments", &a.add_commitments)?,
        rules: a.rules,
        equity_threshold: a.equity_threshold,
        weights: a.weights,
    };
    if a.weights.len() > MAX_WEIGHT_CHANGES {
        return Err(EditError::TooMany {
            field: "weight changes",
            len: a.weights.len(),
            max: MAX_WEIGHT_CHANGES,
        });
    }
    if let Some(why) = weights_problem(&a.weights) {
        return Err(EditError::Refused { why });
    }
    for w in &a.weights {
        if !(1..=crate::schema::MAX_WEIGHT).contains(&w.weight) {
            return Err(EditError::Refused {
                why: format!(
                    "a weight is from 1 to {} (given {})",
                    crate::schema::MAX_WEIGHT,
                    w.weight
                ),
            });
        }
    }
    if a.rules.len() > crate::values::RuleKind::ALL.len() {
        return Err(EditError::TooMany {
            field: "rule changes",
            len: a.rules.len(),
            max: crate::values::RuleKind::ALL.len(),
        });
    }
    for change in &a.rules {
        if let Some(rule) = change.rule {
            rule_sensible(change.kind, rule)?;
        }
    }
    if a.is_empty() {
        return Err(EditError::EmptyAmendment);
    }
    Ok(a)
}

/// A rule a coalition can decide by: some quorum (with none, one member alone could decide
/// for all while the others are away), and a super-majority above one half (at or below it,
/// a minority could pass a proposal and two opposite ones could both pass).
pub(super) fn rule_sensible(
    kind: crate::values::RuleKind,
    rule: crate::tally::Rule,
) -> Result<(), EditError> {
    let why = if let Some(why) = crate::schema::rule_problem(kind, &rule) {
        Some(why)
    } else if rule.quorum().num() == 0 {
        Some(format!(
            "the {kind} rule `{rule}` has no quorum (`@0`): give one above zero, such as @1/2"
        ))
    } else if let crate::tally::Method::SuperMajority(f) = rule.method()
        && !Fraction::HALF.exceeded_by(u128::from(f.num()), u128::from(f.den()))
    {
        Some(format!(
            "the {kind} rule `{rule}` is no super-majority: its fraction must be above one \
             half, such as 2/3 (for one half, use majority)"
        ))
    } else {
        None
    };
    match why {
        Some(why) => Err(EditError::Refused { why }),
        None => Ok(()),
    }
}

/// What a new proposal decides beyond its kind.
#[derive(Debug, Clone, Default)]
pub(super) struct Subject {
    /// The member admitted or removed, or the request allocated.
    pub(super) subject: Option<crate::schema::Subject>,
    /// For an amendment.
    pub(super) amendment: Option<Amendment>,
    /// For a poll.
    pub(super) poll: Option<crate::schema::PollSpec>,
    /// For a link.
    pub(super) link: Option<crate::schema::LinkTerms>,
    /// For an answer to a call: the call's id.
    pub(super) answers: Option<String>,
}

pub(super) fn open_proposal(
    doc: &mut AutoCommit,
    gov: &InForce,
    by: &MemberId,
    new: &NewProposal,
    what: Subject,
    at: Timestamp,
) -> Result<(), EditError> {
    if exists(doc, &["proposals", new.id.as_str()])? {
        return Err(EditError::Exists {
            what: "proposal",
            id: new.id.to_string(),
        });
    }
    if let Some(closes) = new.closes_at
        && closes <= at
    {
        return Err(EditError::Value(crate::values::ValueError {
            what: "closing time",
            given: closes.to_string(),
            expected: "a moment in the future".to_owned(),
        }));
    }
    let (rule, electorate) =
        crate::governance::rule_and_electorate(gov, new.kind, what.subject.as_ref())
            .map_err(|why| EditError::Refused { why })?;
    if let Some(why) =
        crate::schema::poll_rule_problem(new.kind, &rule, what.poll.as_ref().map(|p| p.method))
    {
        return Err(EditError::Refused { why });
    }
    let proposal = Proposal {
        id: new.id.clone(),
        kind: new.kind,
        title: short("proposal title", &new.title)?,
        text: Prose(long("proposal text", &new.text)?),
        author: by.clone(),
        created_at: at,
        closes_at: new.closes_at,
        rule,
        electorate: electorate.clone(),
        positions: BTreeMap::new(),
        subject: what.subject,
        amendment: what.amendment,
        poll: what.poll,
        ballots: BTreeMap::new(),
        weights: gov.weights.of_electorate(new.kind, &electorate),
        link: what.link,
        answers: what.answers,
    };
    let proposals = map_at(doc, &["proposals"])?;
    reconcile_prop(doc, &proposals, new.id.as_str(), &proposal)?;
    Ok(())
}
