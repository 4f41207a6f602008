# The progress report, in English. Sentences stay short and words plain: the report is read
# by members and the public, and a test keeps it at grade 8 or below (Flesch-Kincaid).

month-1 = January
month-2 = February
month-3 = March
month-4 = April
month-5 = May
month-6 = June
month-7 = July
month-8 = August
month-9 = September
month-10 = October
month-11 = November
month-12 = December
date-day = { $month } { $day }, { $year }
date-month = { $month } { $year }

title = { $coalition }: progress report
period-all = This report covers all the records up to { $made }.
period-from-to = This report covers { $from } to { $to }.
period-from = This report covers { $from } to { $made }.
period-to = This report covers all the records up to { $to }.
made = It was made on { $made } from the records each member holds. { $members ->
    [one] The coalition has one member group.
   *[other] The coalition has { $members } member groups.
}
translated-texts = { $n ->
    [one] One text a member wrote is shown as another member translated it.
   *[other] { $n } texts members wrote are shown as other members translated them.
}
skip = Skip to the report
contents = Contents

goals = Goals
goals-none = The charter names no goals yet.
goal-up = { $goal }: { $value } of { $target } { $unit }, up from { $earlier } in { $month }.
goal-down = { $goal }: { $value } of { $target } { $unit }, down from { $earlier } in { $month }.
goal-same = { $goal }: { $value } of { $target } { $unit }, the same as in { $month }.
goal-one = { $goal }: { $value } of { $target } { $unit } on { $day }.
goal-met = The goal is met.
goal-nothing = { $goal }: nothing was measured in this time. The goal is { $target } { $unit }.
chart-title = Progress on { $goal }
chart-text = { $points ->
    [one] One measure, on { $first }.
   *[other] { $points } measures, from { $first } to { $last }.
} The goal is { $target } { $unit }. The last measure is { $value }.
chart-goal-line = goal
col-day = Day
col-figure = Figure
col-note = How it was measured

decisions = Decisions
decisions-none = No decision was made in this time.
decisions-made = { $n ->
    [one] One decision was made.
   *[other] { $n } decisions were made.
}
decisions-open = { $n ->
    [0] No proposal is still open.
    [one] One proposal is still open.
   *[other] { $n } proposals are still open.
}
decision-on = { $title } ({ $day }).
passed-all = Passed by { $method }: all { $agree } members agreed.
passed = Passed by { $method }: { $agree } of { $electorate } members agreed.
disagreed = { $n ->
    [one] One member did not agree.
   *[other] { $n } members did not agree.
}
abstained = { $n ->
    [one] One member stood aside.
   *[other] { $n } members stood aside.
}
blocked = Blocked by { $member }: “{ $reason }”
failed = Did not pass: { $agree } agreed and { $disagree } did not.
failed-quorum = Did not pass: too few members took part ({ $taken } of { $electorate }).
method-consensus = consensus
method-consent = consent
method-majority = majority vote
method-super = a { $share } vote
method-poll = a poll ({ $method })

resources = Resources
resources-none = The coalition has no shared pools yet.
pool-gave = { $pool }: { $givers ->
    [0] no group gave in this time.
    [one] one group gave { $given } { $unit }.
   *[other] { $givers } groups gave { $given } { $unit }.
}
pool-pledged = Groups promised { $pledged } { $unit } more.
pool-allocated = { $allocated } { $unit } went to members.
allocation = { $member } got { $amount } { $unit } for “{ $reason }” ({ $day }).
equity-flag = { $member } got more than { $share } of what { $pool } gave out. The charter asks the members to look at this.
col-group = Group
col-pledged = Promised
col-given = Gave
col-received = Got

reach = Who benefits and who is left out
reach-issues = { $n ->
    [one] The coalition works on one issue.
   *[other] The coalition works on { $n } issues.
} { $new ->
    [0] None is new in this time.
    [one] One is new in this time.
   *[other] { $new } are new in this time.
}
reach-by-tag = Issues by the groups of people they touch
reach-tag = { $tag }: { $n ->
    [one] one issue
   *[other] { $n } issues
}, { $active ->
    [0] none still open.
    [one] one still open.
   *[other] { $active } still open.
}
reach-untagged = { $n ->
    [one] One issue names
   *[other] { $n } issues name
} no group of people. Add tags so no one is missed.
reach-leads = Who leads the work
col-issues-led = Issues led
reach-evidence = Evidence
evidence = { $issue }: { $figure } ({ $source }). Broken down by { $by }.
evidence-whole = { $issue }: { $figure } ({ $source }). It is not broken down by group.
evidence-none = No evidence is on record yet.
reach-alone = { $n ->
    [one] One issue has
   *[other] { $n } issues have
} no support from other groups yet:
alone = { $issue }, raised by { $member }

more = …and { $n } more (all of them are in the CSV tables).

participation = Who took part
participation-table = Meetings and decisions, by group
meetings = { $n ->
    [0] No meeting was held in this time.
    [one] One meeting was held.
   *[other] { $n } meetings were held.
}
silent = { $n ->
    [one] This group took no part in any decision:
   *[other] These groups took no part in any decision:
} { $names }.
silent-none = Each group took part in at least one decision.
col-attended = Meetings
col-facilitated = Meetings led
col-checkins = Spoke at check-ins
col-positions = Decisions voted on

charter = Changes to the charter
charter-none = The charter did not change in this time.
charter-version = Version { $version } was agreed on { $day } by { $n ->
    [one] one group.
   *[other] { $n } groups.
}
change-founded = This is the first charter.
change-name = The new name is { $name }.
change-frame = The statement of purpose changed.
change-value = New value: { $value }.
change-commitment = New promise: { $value }.
change-value-gone = No longer a value: { $value }.
change-commitment-gone = No longer a promise: { $value }.
change-rule = { $kind } now need { $rule }, with { $quorum } of members taking part.
change-rule-none = New members now join without a vote.
change-threshold = A group is now flagged when it gets more than { $share } of a pool.
kind-amendment = Charter changes
kind-membership = Membership choices
kind-allocation = Uses of shared pools
kind-public-statement = Public statements
kind-general = Other decisions
kind-role = Elections of role holders
kind-link = Links with other coalitions
kind-admission = New members
