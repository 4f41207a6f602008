//! A poll's result as `proposal show` prints it: the options, who voted, and the count in
//! words, with every round and how each tie was broken.

use std::collections::BTreeMap;
use std::fmt::Write as _;

use model::MemberId;
use model::poll::ranked::TieBreak;
use model::poll::stv::{Action, decimal};
use model::poll::{Order, PollResult};
use model::schema::Proposal;

use super::{named, short};
use crate::output::line;

/// `n / d` to two decimal places, rounded half up (for reading; the count is exact).
fn ratio(n: u128, d: u128) -> String {
    if d == 0 {
        return "–".to_owned();
    }
    let hundredths = (n * 200 + d) / (2 * d);
    format!("{}.{:02}", hundredths / 100, hundredths % 100)
}

/// How a tie was broken, in words.
fn tie_words(tie: Option<TieBreak>) -> String {
    match tie {
        None => String::new(),
        Some(TieBreak::EarlierRound { round }) => {
            format!(" (a tie, broken by the votes of round {round})")
        }
        Some(TieBreak::ListedLast) => {
            " (a tie in every round: by the written rule, the option listed last goes)".to_owned()
        }
    }
}

/// The poll part of `proposal show`: options, ballots, and the result.
pub(crate) fn shown(
    p: &Proposal,
    result: Option<&PollResult>,
    names: &BTreeMap<MemberId, String>,
    open: bool,
) -> String {
    let Some(poll) = &p.poll else {
        return String::new();
    };
    let opt = |o: usize| -> String {
        poll.options
            .get(o)
            .map_or_else(|| format!("option {}", o + 1), |t| line(t))
    };
    let method = match poll.method {
        model::poll::PollMethod::Budget { share } => {
            format!("budget: each gives up to {}", decimal(u128::from(share), 2))
        }
        m => m.to_string(),
    };
    let mut s = format!("\nPoll ({method}); options:\n");
    for (i, o) in poll.options.iter().enumerate() {
        match (poll.asks.get(i), poll.issues.get(i)) {
            (Some(ask), _) => match poll.requests.get(i) {
                Some(request) => {
                    let _ = writeln!(
                        s,
                        "  {}. {}  (asks {ask}; request {})",
                        i + 1,
                        line(o),
                        short(request)
                    );
                }
                None => {
                    let _ = writeln!(s, "  {}. {}  (asks {ask})", i + 1, line(o));
                }
            },
            (None, Some(issue)) => {
                let _ = writeln!(s, "  {}. {}  (issue {})", i + 1, line(o), short(issue));
            }
            (None, None) => {
                let _ = writeln!(s, "  {}. {}", i + 1, line(o));
            }
        }
    }
    if !poll.issues.is_empty() {
        s += "Its result, once it closes with its quorum, is the inventory's priority (`coalesce issue list --by priority`), until a later poll over issues passes.\n";
    }
    if let Some(role) = poll.role {
        let _ = writeln!(
            s,
            "An election of {}: once it closes with its quorum, the members it elects hold the role (`coalesce charter show`), until a later election of it passes.",
            match role {
                model::RoleName::Spokespeople => "spokespeople",
                model::RoleName::StatementSignoff => "who signs off public statements",
                model::RoleName::Delegates => "delegates to the coalitions it links with",
            }
        );
    }
    if let Some(pool) = &poll.pool {
        let _ = writeln!(
            s,
            "Once it closes with its quorum, the requests it funds are allocated from pool {}, most given first, while the pool holds enough (`coalesce pool ledger`).",
            short(pool)
        );
    }
    // (How many have voted, as the tally counts them, the caller says.)
    let voted: Vec<String> = model::reports::counted_ballots(p)
        .map(|(m, _)| named(names, m))
        .collect();
    if voted.is_empty() {
        s += "No ballots yet.\n";
    } else {
        let _ = writeln!(s, "Ballots cast by: {}", voted.join(", "));
    }
    let Some(result) = result else {
        return s;
    };
    let order_lines = |s: &mut String, order: &Order, value: &dyn Fn(usize) -> String| {
        for (place, group) in order.iter().enumerate() {
            let tied = if group.len() > 1 { " (tied)" } else { "" };
            for o in group {
                let _ = writeln!(s, "  {}. {}: {}{tied}", place + 1, opt(*o), value(*o));
            }
        }
    };
    s += if open {
        "\nResult so far (final when the poll closes; equal options: the one listed first \
         goes first):\n"
    } else {
        "\nResult (the poll is closed; equal options: the one listed first goes first):\n"
    };
    match result {
        PollResult::Choose(t) => {
            order_lines(&mut s, &t.order, &|o| format!("chosen by {}", t.totals[o]));
        }
        PollResult::Dots(t) => {
            order_lines(&mut s, &t.order, &|o| format!("{} dots", t.totals[o]));
        }
        PollResult::Score(t) => order_lines(&mut s, &t.order, &|o| {
            format!(
                "total {}, mean {}",
                t.totals[o],
                ratio(t.totals[o], t.ballots)
            )
        }),
        PollResult::Ranked(r) => {
            for (i, round) in r.irv.rounds.iter().enumerate() {
                let votes: Vec<String> = round
                    .votes
                    .iter()
                    .enumerate()
                    .filter_map(|(o, v)| v.map(|v| format!("{} {v}", opt(o))))
                    .collect();
                let _ = write!(s, "  Round {}: {}", i + 1, votes.join(", "));
                if round.exhausted > 0 {
                    let _ = write!(s, "; {} with no choice left", round.exhausted);
                }
                if let Some(o) = round.elected {
                    let _ = write!(s, " → {} wins with more than half", opt(o));
                }
                if let Some(o) = round.excluded {
                    let _ = write!(s, " → {} out{}", opt(o), tie_words(round.tie));
                }
                s.push('\n');
            }
            match r.irv.winner {
                Some(w) => {
                    let _ = writeln!(s, "Winner by instant runoff: {}", opt(w));
                }
                None => s += "No winner yet: no ballots.\n",
            }
            s += "Borda count, for reading:\n";
            order_lines(&mut s, &r.borda_order, &|o| {
                format!("{} points", r.borda[o])
            });
        }
        PollResult::Condorcet(c) => {
            order_lines(&mut s, &c.order, &|o| {
                let beats = (0..c.strongest.len())
                    .filter(|b| *b != o && c.strongest[o][*b] > c.strongest[*b][o])
                    .count();
                format!("beats {beats} by the strongest paths")
            });
            match c.winner() {
                Some(w) => {
                    let _ = writeln!(s, "Winner (Schulze): {}", opt(w));
                }
                None => s += "No single winner: the first place is tied.\n",
            }
        }
        PollResult::Stv(t) => {
            let quota = t.rounds.first().map_or(0, |r| r.quota);
            let _ = writeln!(
                s,
                "  {} seats by {:?} STV; quota {}",
                t.seats,
                t.variant,
                decimal(quota, t.places)
            );
            for (i, round) in t.rounds.iter().enumerate() {
                let what = match &round.action {
                    Action::FirstPreferences => "first preferences".to_owned(),
                    Action::Surplus { of } => format!("surplus of {} transferred", opt(*of)),
                    Action::Iterated { iterations } => {
                        format!("keep factors settled in {iterations} iterations")
                    }
                    Action::Exclude { of } => {
                        format!("{} excluded{}", opt(*of), tie_words(round.tie))
                    }
                    Action::LastVacancies => "as many left as seats: all elected".to_owned(),
                };
                let votes: Vec<String> = round
                    .votes
                    .iter()
                    .enumerate()
                    .filter_map(|(o, v)| v.map(|v| format!("{} {}", opt(o), decimal(v, t.places))))
                    .collect();
                let _ = write!(s, "  Stage {}: {what}. {}", i + 1, votes.join(", "));
                if !round.elected.is_empty() {
                    let who: Vec<String> = round.elected.iter().map(|o| opt(*o)).collect();
                    let _ = write!(s, " → elected: {}", who.join(", "));
                }
                s.push('\n');
            }
            let who: Vec<String> = t.elected.iter().map(|o| opt(*o)).collect();
            let _ = writeln!(s, "Elected: {}", who.join(", "));
        }
        PollResult::Time(t) => order_lines(&mut s, &t.order, &|o| {
            let fit = &t.times[o];
            let out: Vec<String> = fit
                .left_out
                .iter()
                .map(|m| {
                    m.parse::<MemberId>()
                        .map_or_else(|_| line(m), |id| named(names, &id))
                })
                .collect();
            format!(
                "yes {}, if needed {}, no {}{}",
                fit.yes,
                fit.if_needed,
                fit.no,
                if out.is_empty() {
                    String::new()
                } else {
                    format!(" (leaves out {})", out.join(", "))
                }
            )
        }),
        PollResult::Budget(b) => {
            order_lines(&mut s, &b.order, &|o| {
                let r = &b.requests[o];
                let given = decimal(r.given, 2);
                match r.ask {
                    Some(ask) if r.funded => {
                        format!("given {given} of {}: funded", decimal(ask, 2))
                    }
                    Some(ask) => format!("given {given} of {}", decimal(ask, 2)),
                    None => format!("given {given}"),
                }
            });
            let _ = writeln!(
                s,
                "Given in all {}; the funded requests take {}.",
                decimal(b.given, 2),
                decimal(b.spent, 2)
            );
        }
    }
    s
}
