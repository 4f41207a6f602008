# The organizers' web UI, in English. Every id here must also be in ../es/web.ftl, with the
# same variables (a test checks).

app-name = Coalesce
skip-to-content = Skip to the main content
nav-label = Main
nav-home = What needs me
nav-new-coalition = Found a coalition
lang-label = Language
lang-en = English
lang-es = Español
sign-out = Sign out
footer-local = Every record is kept on this organization's node and signed by it; nothing is loaded from the internet.

signed-out-title = Sign in to this node
signed-out-body = To open Coalesce in this browser, run this command on the machine where the node runs, then open the link it prints:
signed-out-used = That sign-in link was already used or has expired. Each link works once, for 10 minutes: ask for a new one.

home-title = What needs me
home-intro = { $org }: your coalitions and what they are waiting for.
home-no-coalitions = This node holds no coalition yet.
home-coalition-counts = { $members ->
    [one] 1 member
   *[other] { $members } members
  } · { $issues ->
    [one] 1 issue
   *[other] { $issues } issues
  } · { $proposals ->
    [one] 1 proposal
   *[other] { $proposals } proposals
  }
home-issues-link = Issues of { $coalition }
home-not-member = This node's organization is not a member in force of this coalition: it can read, not write.

sync-title = Member nodes
sync-offline = Offline — your changes are saved and will sync when another member's node is reachable.
sync-connected = Connected
sync-not-connected = Not connected
sync-never = Never synced
sync-behind = { $count ->
    [one] 1 change behind
   *[other] { $count } changes behind
  }
sync-no-other-nodes = No other member node yet: invite another organization to share this coalition.
sync-table-caption = Member nodes of { $coalition }
sync-col-member = Member
sync-col-state = Connection
sync-col-last = Last synced
sync-col-behind = Behind

coalition-new-title = Found a coalition
coalition-name = Name
coalition-name-help = Up to 200 characters. Every member will see it.
coalition-frame = What brings the members together
coalition-frame-help = The unifying frame, in a few sentences. Optional: it can be amended later.
coalition-create = Found the coalition
coalition-created = The coalition is founded. Invite the other organizations from “What needs me”.

issues-title = Issues of { $coalition }
issues-filter = Filter the issues
issues-filter-tag = Tag
issues-filter-status = Status
issues-filter-any = Any status
issues-apply = Show
issues-none = No issue matches.
issues-showing = Issues { $from } to { $to } of { $total }
issues-table-caption = The joint issue inventory
issues-order = Order
issues-order-priority = Priority
issues-order-age = Oldest first
issues-priority-by = Priority decided by the poll
issues-priority-closed = closed { $date }
issues-priority-none = No poll over the issues has decided a priority yet: oldest first.
issue-col-place = Place
issue-not-ranked = not ranked
page-nav = Pages
page-previous = Previous page
page-next = Next page
issue-col-title = Issue
issue-col-tags = Tags
issue-col-lead = Lead
issue-col-status = Status
issue-col-shared = Shared by

status-raised = Raised
status-adopted = Adopted
status-parallel-campaign = Parallel campaign
status-won = Won
status-dropped = Dropped

issue-raise-title = Raise an issue
issue-title-field = Title
issue-title-help = A short title, up to 200 characters.
issue-description-field = Description
issue-description-help = What it is, who it affects and what shows it. Optional.
issue-tags-field = Tags
issue-tags-help = Separated by commas, for example: race, disability, housing. Optional.
issue-raise = Raise the issue
issue-raised = The issue is raised.

issue-raised-by = Raised by { $name } on { $date }
issue-lead = Lead: { $name }
issue-tags = Tags
issue-no-tags = No tags.
issue-status = Status: { $status }
issue-description = Description
issue-no-description = No description.
issue-shares = Members who share it
issue-share-row = { $name }: rank { $rank }
issue-not-shared = No member shares it yet.
issue-evidence = Evidence
issue-no-evidence = No evidence yet.
issue-evidence-row = { $figure } (source: { $source }; added by { $name })
issue-share-title = Share this issue
issue-share-rank = Rank
issue-share-rank-help = How high your organization ranks it: 1 is the highest, 10 the lowest.
issue-share = Share with this rank
issue-shared = Your organization shares this issue now.
issue-back = Back to the issues

error-title = Something went wrong
error-form = The form has errors: see the message next to each field.
error-required = This field is required.
error-rank = Choose a rank from 1 to 10.
error-csrf = This form was sent from another page or has expired. Please send it again.
error-not-found = There is nothing at this address.
error-node = The node answered: { $message }
back-home = Back to what needs me

# Dates: the month's name, then the whole date.
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
date-time = { $month } { $day }, { $year }, { $time } UTC

# A coalition's own navigation.
coalition-nav-issues = Issues
coalition-nav-proposals = Proposals
home-proposals-link = Proposals of { $coalition }

proposals-title = Proposals of { $coalition }
proposals-filter = Filter the proposals
proposals-filter-kind = Kind
proposals-filter-any = Any kind
proposals-none = No proposal matches.
proposals-showing = Proposals { $from } to { $to } of { $total }
proposals-table-caption = The coalition's proposals and where each stands
proposal-col-title = Proposal
proposal-col-kind = Kind
proposal-col-outcome = Where it stands
proposal-col-closes = Positions count until
proposals-back = Back to the proposals

proposal-open-title = Open a proposal
proposal-open-intro = For a general decision or a public statement. A charter amendment is opened from the charter, a member's removal from the members, an allocation from its pool.
proposal-kind-field = Kind of decision
proposal-kind-choose = Choose a kind
proposal-kind-missing = Choose a general decision or a public statement.
proposal-title-field = Title
proposal-title-help = What the members decide, in a few words.
proposal-text-field = Text
proposal-text-help = Optional: the full text, and why.
proposal-open-submit = Open the proposal
proposal-opened = The proposal is open. Members can now take their positions.

kind-amendment = Charter amendment
kind-membership = Membership
kind-allocation = Allocation from a pool
kind-public-statement = Public statement
kind-general = General decision
kind-role = Election of role holders
kind-link = Link with another coalition

method-consensus = Consensus: it passes when at least one member agrees and nobody disagrees or blocks
method-consent = Consent: it passes when at least one member agrees and nobody blocks
method-majority = Majority: it passes when more members agree than disagree (a block counts as disagreeing)
method-super-majority = Super-majority: it passes when at least { $fraction } of the members taking sides agree
rule-poll-choose = A poll: each member picks among the options
rule-poll-score = A score poll: each member scores every option
rule-poll-dots = A dot vote: each member spreads dots over the options
rule-poll-ranked = A ranked-choice poll: one winner by instant runoff
rule-poll-condorcet = A ranked poll counted by the Schulze method (Condorcet)
rule-poll-stv = An election by single transferable vote
rule-poll-time = A time poll: each member answers yes, if needed or no for each time
rule-poll-budget = A participatory budget: each member spreads a share over requests
rule-poll-settings = { $method } ({ $settings })
proposal-rule = Rule: { $method }. Quorum: { $quorum } of { $electorate ->
    [one] the one member
   *[other] the { $electorate } members
  } must take a position.

outcome-open = Open
outcome-passed = Passed
outcome-failed = Not passed
outcome-blocked = Blocked
outcome-sentence = { $outcome }: { $agree } of { $electorate } agreed, { $abstain } stood aside, { $disagree } disagreed, { $block } blocked, { $pending } not answered yet; quorum { $met ->
    [yes] met
    [no] not met
   *[pending] not met yet
  }.

stance-agree = Agree
stance-abstain = Stand aside (abstain)
stance-disagree = Disagree
stance-block = Block
stance-pending = Not answered yet
stance-agree-help = You support it.
stance-abstain-help = You let it go ahead without taking part in it.
stance-disagree-help = You are against it, but do not stop it for everyone.
stance-disagree-help-consensus = You are against it. Under consensus, one member disagreeing is enough for it not to pass.
stance-block-help = You stop it for everyone: only when it goes against the coalition's values or commitments. Say why below.
stance-block-help-vote = Under this rule a block counts as disagreeing: it does not stop the proposal by itself. Say why below.

proposal-by = Opened by { $name } on { $date }
proposal-closes = Positions count until { $date }.
proposal-no-close = Open until decided.
proposal-settled = Decided: the positions taken settle it, whatever the others would be.
proposal-closed = Closed on { $date }.
proposal-text = Text
proposal-no-text = No text.
proposal-positions = Positions
poll-sentence = { $outcome ->
    [open] Open
    [passed] Decided
   *[other] Not decided
  }: { $agree } of { $electorate } organizations have voted; quorum { $met ->
    [yes] met
    [no] not met, so the poll decides nothing
   *[pending] not met yet
  }.
poll-rule = Quorum: { $quorum } of { $electorate ->
    [one] the one member
   *[other] the { $electorate } members
  } must cast a ballot before the poll closes.
poll-heading = Poll among options
poll-intro = This proposal is decided by a poll ({ $method }), counted the same way on every member's node from the organizations' signed ballots; ballots are not anonymous.
poll-voted = { $voted } of { $electorate } organizations have voted.
poll-weights = The charter weighed some ballots when the poll opened: { $list }; every other organization's ballot counts once.
poll-ranks-issues = This poll is over the issues: once it closes with its quorum, its result becomes the order of the issue inventory.
poll-ranks-issues-link = See the inventory
poll-elects-spokespeople = This is an election of the coalition's spokespeople: once it closes with its quorum, the members it elects speak publicly for the coalition, until a later election.
poll-elects-statement-signoff = This is an election of who signs off public statements: once it closes with its quorum, the members it elects hold that role, until a later election.
poll-elects-delegates = This is an election of the coalition's delegates to the coalitions it links with: once it closes with its quorum, the members it elects represent it there, until a later election.
poll-funds-requests = This is a participatory budget over a pool's requests: once it closes with its quorum, the requests it funds are allocated, most given first, while the pool holds enough.
poll-weight = { $name } counts { $weight } times
poll-caption = The options and where each stands
poll-col-option = Option
poll-col-standing = Where it stands
poll-place = Place { $place }
poll-tied = Place { $place } (tied)
poll-winner = Winner
poll-elected = Elected
poll-not-elected = Not elected
poll-funded = Funded
poll-not-funded = Not funded
poll-none-yet = Not counted yet
poll-method-choose-one = choose one option
poll-method-choose = choose from { $min } to { $max } options
poll-method-score = score each option from 0 to { $max }
poll-method-dots = spread up to { $dots } dots over the options
poll-method-ranked = rank the options; one winner by instant runoff
poll-method-condorcet = rank the options; the Condorcet winner by the Schulze method
poll-method-stv-meek = rank the candidates; { $seats ->
    [one] one seat
   *[other] { $seats } seats
  } by single transferable vote (Meek's method)
poll-method-stv-scottish = rank the candidates; { $seats ->
    [one] one seat
   *[other] { $seats } seats
  } by single transferable vote (the Scottish rules of 2007)
poll-method-time = answer each proposed time yes, if needed or no
poll-method-budget = each organization gives up to { $share } to the requests; a request is funded when its gifts reach its ask
poll-notes = How the count went
poll-tie-earlier = It was tied: the votes of round { $round } broke the tie.
poll-tie-listed-last = It was tied in every round: by the written rule, the option listed last goes out.
poll-chart-table = The figures in a table.
poll-figures-caption = The figures of each option
poll-col-round = Round { $round }
poll-row-exhausted = Ballots with no choice left
poll-row-quota = Quota
poll-col-chosen = Chosen by
poll-col-dots = Dots
poll-col-total = Total score
poll-col-mean = Mean score
poll-col-time = Time
poll-col-no = Does not work for
poll-col-request = Request
poll-col-ask = Asks
poll-col-given = Given
poll-chart-chosen = How many organizations chose each option
poll-chart-dots = The dots each option received
poll-chart-score = The total score of each option
poll-chart-time = How many organizations each time works for
poll-chart-budget = What each request was given
poll-chart-last-round = The votes of the last round
poll-chart-beats = How many options each beats, by the strongest paths
poll-chart-first-preferences = First preferences
poll-budget-spent = Given in all: { $given }; the funded requests take { $spent }.
poll-note-wins = Round { $round }: { $option } wins with more than half of the votes.
poll-note-out = Round { $round }: { $option } has the fewest votes and goes out; its ballots count for their next choice.
poll-note-borda = The Borda count and the pairwise matrix are shown for reading; the winner is the instant runoff's.
poll-rounds-caption = The votes of each option in each round of the instant runoff
poll-borda-caption = The Borda count (for reading)
poll-col-points = Points
poll-pairwise-caption = How many organizations ranked the row's option above the column's
poll-strongest-caption = The strongest path from the row's option to the column's
poll-beats-caption = How many other options each beats by the strongest paths
poll-col-beats = Beats
poll-note-schulze = { $option } wins: its strongest paths beat every other option's.
poll-note-schulze-tied = No single winner yet: the first place is tied.
poll-stages-caption = The votes of each candidate at each stage of the count (the quota first)
poll-stage-first = Stage { $round }: the first preferences are counted.
poll-stage-surplus = Stage { $round }: the surplus of { $option } is passed on.
poll-stage-iterated = Stage { $round }: the keep factors settle, in { $iterations } iterations.
poll-stage-excluded = Stage { $round }: { $option } is excluded and its votes passed on.
poll-stage-last = Stage { $round }: as many candidates are left as seats, so all are elected.
poll-stage-elected = Elected: { $names }.
ballot-title = Your organization's ballot
ballot-submit = Cast the ballot
ballot-change = Change the ballot
ballot-choose = Choose
ballot-choose-help-exactly = Tick { $n ->
    [one] one option
   *[other] { $n } options
  }. Your ballot is signed by your organization: ballots are not anonymous.
ballot-choose-help = Tick from { $min } to { $max } options. Your ballot is signed by your organization: ballots are not anonymous.
ballot-score = Scores
ballot-score-help = Give each option a score from 0 to { $max }; an option left empty scores 0. Your ballot is signed by your organization: ballots are not anonymous.
ballot-dots = Dots
ballot-dots-help = Spread up to { $dots } dots over the options, as many on one as you like. Your ballot is signed by your organization: ballots are not anonymous.
ballot-rank = Your preferences
ballot-rank-help-two = Give your first preference 1, your second 2, and so on, to two options at least; leave out the options you would not support. Your ballot is signed by your organization: ballots are not anonymous.
ballot-rank-help = Give your first preference 1, your second 2, and so on; leave out the options you would not support. Your ballot is signed by your organization: ballots are not anonymous.
ballot-not-ranked = Not ranked
ballot-preference = Preference { $place }
ballot-time = Which times work
ballot-time-help = Answer each time; a time left at no does not work. Your ballot is signed by your organization: ballots are not anonymous.
ballot-budget = What your organization gives
ballot-budget-help = Give up to { $share } in all, spread over the requests as you choose (such as 150 or 12.50); leave empty what you give nothing. Your ballot is signed by your organization: ballots are not anonymous.
ballot-cast = Your organization's ballot is recorded.
ballot-error-picked = Tick from { $min } to { $max } options (this ballot ticks { $picked }).
ballot-error-dots = Spread at most { $dots } dots (this ballot spreads { $spread }).
ballot-error-score = Give each option a score from 0 to { $max }.
ballot-error-too-short = Rank { $least } options at least.
ballot-error-budget = Give at most { $share } in all (this ballot gives { $given }).
ballot-error-other = This ballot does not fit the poll: { $method }.
ballot-error-number = Write a whole number from 0 to { $max }, or leave it empty.
ballot-error-same-place = Two options have preference { $place }: give each option its own.
ballot-error-amount = Write an amount, such as 150 or 12.50, or leave it empty.
proposal-positions-caption = Each member's position and reason
proposal-col-member = Member
proposal-col-position = Position
proposal-col-reason = Reason
proposal-col-when = When
proposal-chart-title = Positions on “{ $title }”

vote-title = Your organization's position
vote-stance = Position
vote-reason = Reason
vote-reason-help = Required for a block; every member will read it.
vote-submit = Record the position
vote-recorded = Your organization's position is recorded.
vote-decided = This proposal is decided: a position no longer changes it.
vote-not-member = Your organization is not in this proposal's electorate.
error-stance = Choose a position.
error-block-reason = A block needs a reason: say what in the proposal goes against the coalition's values or commitments.

# Invites and joins.
home-invite-link = Invite an organization to { $coalition }
home-join-link = Join a coalition with an invite code
home-pending-joins = Coalitions being joined
home-pending-join = Joining as { $org }, since { $date }
invite-title = Invite an organization to { $coalition }
invite-intro = An invite code lets one organization's node join this coalition. Send it by a channel you trust: whoever holds it can join, once, until it expires.
invite-expires = Valid for
invite-expires-help = After that, the code no longer works.
invite-expires-1d = 1 day
invite-expires-7d = 7 days
invite-expires-30d = 30 days
invite-create = Make an invite code
invite-made-title = Invite code for { $coalition }
invite-code = Invite code
invite-code-help = Select it and copy it. It works once, until { $date }.
invite-local-only = This node can be reached on its own network only for now, so an organization elsewhere cannot join with this code: a relay carries only members' connections. Make the invite on a member's node that others can reach, or ask whoever runs this node to forward a port to it.
invite-next = The organization you invite pastes it on its own node's page “Join a coalition”, or runs this command:
join-title = Join a coalition
join-intro = Paste the invite code another member organization sent you. Your node connects to theirs and receives the coalition.
join-code = Invite code
join-code-help = A long line of letters and numbers, as the inviting organization sent it.
join-org = Your organization's name
join-org-help = As other members will see it. Optional: this node's name when left empty.
join-submit = Join
join-progress-title = Joining a coalition
join-step-waiting = Waiting to reach the inviting node.
join-step-connecting = Connecting to the inviting node…
join-step-awaiting_admission = Connected. Waiting to be admitted (where the members vote on admissions, until they have voted).
join-step-receiving = Admitted. Receiving the coalition…
join-step-joined = Joined: the coalition is here.
join-step-refused = The inviting node refused: { $reason }
join-received = { $received } of { $total } pieces received ({ $kib } KiB)
join-progress-label = The coalition arriving
join-check = Check again
join-open = Open its issues
error-code = Paste the invite code.

# Pools.
coalition-nav-pools = Pools
home-pools-link = Pools of { $coalition }
pools-title = Pools of { $coalition }
pools-none = No pool yet. A pool is opened with `coalesce pool create`.
pools-filter = Filter the pools
pools-filter-kind = Kind
pools-filter-any = Any kind
pools-none-match = No pool matches.
pools-showing = Pools { $from } to { $to } of { $total }
pools-table-caption = The coalition's pools and their totals
pool-col-name = Pool
pool-col-kind = Holds
pool-col-pledged = Pledged
pool-col-contributed = Given
pool-col-allocated = Allocated
pool-col-balance = Balance
poolkind-funds = Money
poolkind-volunteer-hours = Volunteer hours
poolkind-space = Shared space
poolkind-equipment = Equipment
pool-totals = Pledged { $pledged } · given { $contributed } · allocated { $allocated } · balance { $balance } { $unit }
pool-back = Back to the pools
ledger-title = Ledger
ledger-none = Nothing in the ledger yet.
ledger-filter = Filter the ledger
ledger-filter-kind = Kind of entry
ledger-filter-any-kind = Any entry
ledger-filter-member = Member
ledger-filter-any-member = Any member
ledger-none-match = No entry matches.
ledger-caption = Every pledge, contribution and request, oldest first
ledger-showing = Entries { $from } to { $to } of { $total }
ledger-col-when = When
ledger-col-member = Member
ledger-col-kind = Entry
ledger-col-amount = Amount ({ $unit })
ledger-col-note = Note
ledger-col-balance = Balance after
entry-pledge = Pledge
entry-contribution = Contribution
entry-request = Request
give-title = Pledge or give to this pool
give-kind = What it is
give-pledge-help = A promise to give.
give-contribution-help = Something your organization has given.
give-amount = Amount ({ $unit })
give-amount-help = Above zero, with at most two decimals, such as 500 or 12.50.
give-note = Note
give-note-help = For the ledger. Optional.
give-submit = Record it in the ledger
give-recorded = Recorded in the ledger.
request-awaits-budget = Requested. The charter decides allocations by budget polls: this request awaits the next one over this pool's requests.
error-amount = Write an amount above zero, with at most two decimals, such as 500 or 12.50.

# Signing in with a link.
signin-title = Sign in to this node
signin-body = This link signs this browser in to the Coalesce node on this machine. It works once.
signin-submit = Sign in

# What needs me, per coalition.
home-waiting-title = Waiting for your organization's position
home-waiting-none = No open proposal is waiting for your organization.
home-closes = closes { $date }
home-open-until-decided = open until decided
home-goals-title = Goals
home-goal-row = { $title }: { $value } of { $target } { $unit }
home-goal-none = { $title }: nothing recorded yet, of { $target } { $unit }
home-pools-title = Pool balances
home-pool-row = { $name }: { $balance } { $unit }
home-meeting-next = Next meeting: { $date }
home-meeting-none = No meeting planned.
date-day = { $month } { $day }, { $year }

# Meetings.
coalition-nav-meetings = Meetings
meetings-title = Meetings of { $coalition }
meetings-none = No meeting recorded yet.
meetings-filter = Filter the meetings
meetings-filter-member = Who was there
meetings-filter-anyone = Anyone
meetings-filter-from = From
meetings-filter-to = To
meetings-none-match = No meeting matches.
meetings-record-link = Record a meeting
meetings-caption = Meetings, the latest first
meetings-showing = Meetings { $from } to { $to } of { $total }
meeting-col-day = Day
meeting-col-facilitator = Facilitator
meeting-col-attendance = Present
meeting-col-agenda = Agenda items
meeting-new-title = Record a meeting of { $coalition }
meeting-date = Day it was held
meeting-date-help = Year, month and day, such as 2026-12-31.
meeting-facilitator = Facilitator
meeting-facilitator-help = Who facilitated. By default, the next member in the charter's rotation.
meeting-facilitator-rotation = The next in the rotation
meeting-attendance = Members present
meeting-checkins = Check-in, in the order members spoke
meeting-checkins-help = One member a line, by name as listed above, in the order they spoke. Leave empty if there was no check-in round.
meeting-timeboxed = { $item } ({ $minutes } min)
meeting-access = Access plan
meeting-access-none = No access needs are on record for this meeting.
meeting-access-interpretation = Interpretation into { $what }, for { $who }
meeting-access-need = { $what }, for { $who }
meeting-access-childcare = Childcare ({ $what }), for { $who }
plans-link = Find a time for a meeting
plans-title = Meeting times for { $coalition }
plans-intro = A member proposes the times a meeting could start; each member says which work. The times that work for the most members come first, with who each leaves out.
plans-none = No meeting times are proposed yet.
plans-by = Proposed by { $name }
plans-caption = The times, those that work for the most members first (times in UTC)
plans-col-time = Time (UTC)
plans-col-yes = Works for
plans-col-if-needed = Works if needed for
plans-col-left-out = Leaves out
plans-col-unanswered = Not answered yet
plans-nobody = nobody
plans-access = What the first time would need, from the profiles of those it works for
plans-answer = Your organization's answers for { $title }
plans-choose = Choose an answer
plans-yes = Yes, this time works
plans-if-needed = If needed
plans-no = No, this time does not work
plans-answer-submit = Save the answers
plans-propose = Propose times for a meeting
plans-title-field = What the meeting is
plans-times = Times it could start
plans-times-help = One time a line, in UTC, such as: 2026-12-10 18:00 (up to 20).
plans-propose-submit = Propose these times
plan-proposed = The times are proposed: members can answer them now.
plan-answered = Your answers are saved.
meeting-agenda = Agenda
meeting-agenda-help = One item per line. To give an item a time box, end it with @ and the minutes, such as: Fare campaign@20
meeting-minutes = Minutes
meeting-minutes-help = What was said and agreed. Optional.
meeting-decisions = Proposals decided at the meeting
meeting-decisions-none = No proposal to link yet.
meeting-submit = Record the meeting
meeting-recorded = The meeting is recorded.
meeting-title = Meeting of { $date }
meeting-facilitated = Facilitated by { $name }
meeting-present = Present
meeting-nobody = Nobody recorded as present.
meeting-no-agenda = No agenda recorded.
meeting-no-minutes = No minutes recorded.
meeting-no-decisions = No proposal linked.
meetings-back = Back to the meetings
error-date = Write the day as year-month-day, such as 2026-12-31.

live-updated = This page was updated with new changes.

# The charter.
coalition-nav-charter = Charter
charter-title = Charter of { $coalition }
charter-version = Version { $version }, in force.
charter-frame = What brings the members together
charter-no-frame = No frame written yet.
charter-values = Values
charter-commitments = Commitments
charter-none = None.
charter-rules = How decisions are made
charter-rules-caption = The rule for each kind of decision
charter-col-kind = Decision
charter-col-rule = Rule
rulekind-amendment = Charter amendments
rulekind-admission = Admitting a member
rulekind-membership = Removing a member
rulekind-allocation = Allocations from a pool
rulekind-public-statement = Public statements
rulekind-general = General decisions
rulekind-role = Elections of role holders (spokespeople, statement sign-off, delegates)
rulekind-link = Links with other coalitions (regional and national partners)
rule-by-invite = By invite: the member who invites decides.
charter-equity = Equity threshold: a member receiving more than { $threshold } of a pool's allocations is flagged.
charter-weights-equal = In polls, every member's ballot weighs one.
charter-weights-caption = Members whose ballots weigh more than one in polls (every other member's weighs one)
charter-col-weight = Weight
charter-rotation = Facilitation rotates among: { $names }
charter-role-spokespeople = Spokespeople: { $names }
charter-role-statement-signoff = Who signs off public statements: { $names }
charter-role-delegates = Delegates to the coalitions it links with: { $names }
charter-goals = Goals
charter-goals-caption = Each goal, its latest progress and its target
charter-col-goal = Goal
charter-col-latest = Latest
charter-col-target = Target
charter-versions = Ratified versions
charter-versions-caption = Every version of the charter, with who agreed
charter-versions-showing = Versions { $from } to { $to } of { $total }, newest first
charter-col-version = Version
charter-col-ratified = Ratified
charter-col-agreed = Agreed by
charter-col-proposal = Decided by
charter-founding = Founding
charter-compare = Compare two versions
charter-compare-from = From version
charter-compare-to = To version
charter-compare-submit = Show the differences
charter-diff-title = What changed from version { $from } to version { $to }
charter-diff-none = Nothing changed between these versions.
charter-diff-name = Name: “{ $before }” became “{ $after }”.
charter-diff-frame = The frame changed.
charter-diff-before = Before
charter-diff-after = After
charter-diff-added-values = Values added: { $items }
charter-diff-removed-values = Values removed: { $items }
charter-diff-added-commitments = Commitments added: { $items }
charter-diff-removed-commitments = Commitments removed: { $items }
charter-diff-rule = { $kind }: { $before } became { $after }.
charter-diff-weight = { $name }'s ballot in polls ({ $kind }): weight { $before } became { $after }.

# Members.
coalition-nav-members = Members
members-title = Members of { $coalition }
members-in-force = Member organizations
members-caption = Each member organization and its profile
members-former = Former members
members-former-caption = Organizations that left or were removed
member-col-name = Organization
member-col-communities = Communities
member-col-languages = Languages
member-col-access = Accessibility needs
member-col-contact = Contact
member-col-joined = Joined
member-col-keys = Node keys
member-col-since = Since
member-status-left = Left
member-status-removed = Removed
member-status-pending = Pending
members-none-former = No former members.
members-filter = Filter the members
members-filter-find = Find
members-filter-find-help = A word from a name, a community, a language, an accessibility need or a contact.
members-filter-standing = Standing
members-filter-any = Any standing
members-standing-member = Current members
members-standing-pending = Awaiting admission
members-standing-former = Former members
members-none-match = No member matches this filter.
members-showing = Members { $from } to { $to } of { $total }

# Evidence.
evidence-title = Add evidence
evidence-figure = Figure or finding
evidence-figure-help = What the data shows, such as: fares take 9% of income. Up to 200 characters.
evidence-source = Source
evidence-source-help = Where it comes from, such as: Transit survey 2025. Up to 200 characters.
evidence-disaggregation = Disaggregated by
evidence-disaggregation-help = Who it is broken down by: race, income, disability, language… Optional.
evidence-submit = Add the evidence
evidence-added = The evidence is added.
home-waiting-more = Every proposal waiting for your organization's position
proposals-filter-waiting = Only those waiting for your organization's position

coalition-nav-reports = Reports
reports-title = Reports of { $coalition }
translated-by = Translated by { $name }.
translated-by-machine = Machine translation, added by { $name }.
translated-original = Original
translated-original-in = Original ({ $language })
translate-title = Translate
translate-intro = Add your organization's translation of this record's text. It names your organization as the translator, and the original stays as it was written. No outside service is used.
translate-field = Text to translate
translate-lang = Into
translate-text = Translation
translate-machine = A machine made this translation
translate-submit = Save the translation
translated = Your translation is saved: readers in that language see it, with the original a click away.
translate-field-title = Title
translate-field-description = Description
translate-field-text = Text
translate-field-minutes = Minutes
translate-field-value = Value: { $text }
translate-field-commitment = Commitment: { $text }
translate-field-reason = The reason of { $name }
translate-field-evidence = Evidence: { $text }
translate-field-goal = Goal: { $text }
translate-field-frame = Purpose (frame)
issues-missing = { $count ->
    [one] One issue is
   *[other] { $count } issues are
} not yet in { $language }.
proposals-missing = { $count ->
    [one] One proposal is
   *[other] { $count } proposals are
} not yet in { $language }.
meetings-missing = { $count ->
    [one] The minutes of one meeting are
   *[other] The minutes of { $count } meetings are
} not yet in { $language }.
language-en = English
language-es = Spanish
language-fr = French
language-pt = Portuguese
language-zh = Chinese
language-vi = Vietnamese
language-ar = Arabic
language-ko = Korean
language-ht = Haitian Creole
language-tl = Tagalog
language-ru = Russian
language-ase = American Sign Language
progress-title = Progress report of { $coalition }
progress-link = Make a progress report to hand out
progress-intro = A report in plain language for members and the public: goals against their targets, decisions, resources, who benefits and who is left out, who took part, and changes to the charter. Open it here to read or print, or download it as a file.
progress-from = First day
progress-from-help = Leave it empty to start from the first record.
progress-to = Last day
progress-to-help = Leave it empty to end today.
progress-lang = Language of the report
progress-format = File type, for downloads
progress-format-help = Opening the report here always shows the web page.
progress-format-html = Web page (HTML): prints on A4 or Letter
progress-format-md = Markdown
progress-format-json = JSON, for scripts
progress-open = Open the report
progress-download = Download
progress-error-order = The last day is before the first day.
progress-csv = The issue inventory, ledgers, decisions, members and goal progress can be written as spreadsheet files (CSV) on the node's machine with the command: coalesce export --csv --out FOLDER.
report-yes = Yes
report-no = No
report-overlap-heading = Shared issues
report-overlap-intro = Which member organizations share which issues, and how high they rank them (rank 1 is their first priority).
report-overlap-title = The most shared issues
report-overlap-desc = { $issues ->
    [one] One issue in the inventory: { $title }, { $shared }.
   *[other] { $issues } issues in the inventory. The most shared is { $title }: { $shared }.
}
report-overlap-none = No issue has been raised yet.
report-overlap-table = The shared issues as a table
report-overlap-showing = { $total ->
    [0] No issue yet.
    [one] One issue.
   *[other] The { $shown } most shared of { $total } issues.
}
report-shared-by = shared by { $count } of { $members } { $members ->
    [one] member
   *[other] members
}
report-sharer = { $name } (rank { $rank })
report-col-issue = Issue
report-col-status = Status
report-col-sharing = Shared by
report-col-score = Score (rank 1 counts 10, rank 10 counts 1)
report-col-who = Who, first priority first
report-equity-heading = Who gives and who receives
report-equity-intro = For each pool: each member's share of what was contributed and of what was allocated. The charter flags a member that receives more than { $threshold }% of a pool.
report-equity-none = No pool yet.
report-equity-title = { $pool }: shares given and received
report-equity-desc = { $pool }: { $names } received more than { $threshold }% of the allocations.
report-equity-desc-none = { $pool }: no member received more than the charter's share.
report-equity-table = { $pool }: the shares as a table
report-gave = gave { $share }% of the contributions
report-received = received { $share }% of the allocations
report-col-member = Member
report-col-pledged = Pledged
report-col-given = Contributed
report-col-received = Received
report-col-share-given = Share of contributions (%)
report-col-share-received = Share of allocations (%)
report-col-flagged = Above the charter's share
report-power-heading = Power audit
report-power-intro = How proposals, facilitation and resources are shared among the members in force. A member holding more than { $threshold }% of any of them is flagged.
report-power-title = Each member's share of proposals and facilitation, and how often it took a position
report-power-desc = Flagged: { $names } (more than { $threshold }% of proposals, facilitation or resources).
report-power-desc-none = No member holds more than the charter's share of proposals, facilitation or resources.
report-power-table = The power audit as a table
report-power-authored = wrote { $share }% of proposals
report-power-facilitated = facilitated { $share }% of meetings
report-power-participated = took a position on { $share }% of the proposals open to it
report-count-share = { $count } ({ $share }%)
report-participation = { $positions } of { $open } ({ $share }%)
report-col-authored = Proposals written
report-col-facilitated = Meetings facilitated
report-col-checkins = Spoke at check-ins
report-col-participation = Positions taken
report-col-blocks = Blocks used
report-col-flags = Flagged for
report-flag-proposals = proposals
report-flag-facilitation = facilitation
report-flag-resources = resources
issue-edit-link = Edit this issue
issue-edit-title = Edit: { $title }
issue-edit-back = Back to the issue
issue-edit-status = Status
issue-edit-lead = Lead organization
issue-edit-lead-help = The member organization that leads the work on this issue.
issue-add-tags = Tags to add
issue-add-tags-help = Separated by commas. Tags already on the issue stay.
issue-edit-submit = Save the changes
issue-edited = The issue was saved. Other members' nodes receive the change when they sync.
request-title = Ask for an allocation
request-intro = Asking opens a proposal, decided by the charter's rule for allocations. If it passes and the pool holds enough, the amount is allocated to your organization. Where the charter decides allocations by budget polls, the request waits for the next one instead.
request-amount = Amount asked, in { $unit }
request-amount-help = No more than the pool's balance. Decimals with a point or a comma: 120.50 or 120,50.
request-reason = Reason
request-reason-help = What it is for, in a sentence the members will read before they decide.
request-submit = Ask for the allocation
allocation-requested = Your request is made. This is the proposal that decides it.
profile-title = Your organization's profile
profile-intro = What the other members see of your organization in this coalition.
profile-name = Organization name
profile-name-help = Up to 200 characters.
profile-communities = Communities you represent
profile-languages = Languages you work in
profile-accessibility = Accessibility needs to plan for
profile-list-help = One per line. Optional.
profile-contact = How to reach you
profile-contact-help = An email address, a phone number or a person's name. Optional.
profile-submit = Save the profile
profile-saved = Your profile is saved.
removal-title = Propose removing a member
removal-intro = This opens a proposal. The member is removed only if the proposal passes under the charter's rule for membership.
removal-member = Member organization
removal-reason = Reason
removal-reason-help = Why, in a sentence every member will read. Required.
removal-closes = Closes
removal-closes-help = Optional: a day (2027-01-31) or a time from now (7d, 48h). Left empty, it stays open until decided.
removal-submit = Propose the removal
removal-proposed = The removal is proposed. This is the proposal that decides it.
leave-title = Leave this coalition
leave-intro = Your organization stops being a member. What it wrote stays in the coalition's records. Rejoining needs a new invite.
leave-confirm = Yes, my organization leaves this coalition.
leave-confirm-missing = Tick the box to confirm that your organization leaves.
leave-submit = Leave the coalition
member-left = Your organization has left this coalition.
error-closes = Write a day such as 2027-01-31 or a time from now such as 7d or 48h.
proposals-showing-waiting = Proposals { $from } to { $to } waiting for your organization's position
removal-choose = Choose a member organization
removal-member-missing = Choose the member organization whose removal you propose.
amend-link = Propose an amendment to the charter
amend-heading = Amend the charter of { $coalition }
amend-back = Back to the charter
amend-intro = This opens an amendment proposal, decided by the charter's rule for amendments. If it passes, it becomes the charter's next version. Leave unchanged what you do not want to change.
amend-title = Title
amend-title-help = Optional. Left empty, a summary of the changes.
amend-text = Why
amend-text-help = What the amendment does and why, for the members who decide. Required.
amend-frame = New unifying frame
amend-frame-help = Optional. Left empty, the frame stays as it is.
amend-values = Values to add
amend-commitments = Commitments to add
amend-lines-help = One per line. Optional.
amend-rules = How each kind of decision is made
amend-rules-help = Choose a new method only for the kinds of decision you want to change. The quorum is the share of members who must take part.
amend-method = Method
amend-quorum = Quorum
amend-keep = Keep as it is
amend-quorum-1-2 = Half of the members
amend-quorum-2-3 = Two thirds of the members
amend-quorum-3-4 = Three quarters of the members
amend-quorum-1-3 = One third of the members
amend-quorum-0-1 = No quorum
amend-threshold = Equity threshold
amend-threshold-help = A member receiving more than this share of a pool's allocations, or holding more than this share of proposals or facilitation, is flagged in the reports.
amend-weights = Weights in polls of general decisions
amend-weights-help = By default every organization's ballot counts once. Give an organization a weight (a whole number up to 1,000,000, such as the people it represents) to count its ballot that many times in the polls opened after this amendment passes; 1 makes it count once again. Leave a field empty to keep its weight.
amend-weight-now = Weight now: { $weight }.
amend-weight-error = Write a whole number from 1 to 1,000,000, or leave it empty.
amend-threshold-option = { $fraction } of the whole
amend-closes = Closes
amend-closes-help = Optional: a day (2027-01-31) or a time from now (7d, 48h). Left empty, it stays open until decided.
amend-submit = Propose the amendment
amend-nothing = This amendment changes nothing of the charter: change the frame, add a value or a commitment, choose a rule or a threshold.
amendment-proposed = The amendment is proposed. This is the proposal that decides it.
error-choice = Choose one of the options offered.
coalition-nav-history = History
history-title = History of { $coalition }
history-record-title = History of a record
history-back = Back to the record
history-intro = Every change, newest first: when, which member's node signed it, what it was and the fields it wrote. A field of an issue, a pool or a meeting can be put back as it was after a change; that is a new change, and the history keeps both.
history-none = No change here yet.
history-showing = Changes { $from } to { $to } of { $total }
history-caption = The changes, newest first
history-col-when = When
history-col-who = Member
history-col-what = Change
history-col-fields = What it changed
history-col-restore = Put back
history-no-member = A node that is not a member
history-restore = Put back { $field } as it was after this change
history-link-issue = History of this issue
history-link-pool = History of this pool
history-link-meeting = History of this meeting
field-restored = The field is put back as it was. Other members' nodes receive the change when they sync.
field-title = the title
field-description = the description
field-status = the status
field-lead = the lead organization
field-name = the name
field-unit = the unit
field-minutes = the minutes
refused-link = What this node refused from other nodes
refused-title = What this node refused from other nodes
refused-intro = Messages and changes other nodes sent that broke the coalition's rules: this node kept none of them. The newest come first; the oldest are dropped after a while.
refused-none = This node has refused nothing.
refused-filter = Filter the refusals
refused-filter-coalition = Coalition
refused-filter-any = Any coalition
refused-filter-peer = Sent by the node
refused-filter-peer-help = The first characters of the node's key, as shown in the table.
refused-none-match = No refusal matches this filter.
refused-caption = Refused messages, newest first
refused-col-when = When
refused-col-peer = From the node
refused-col-coalition = Coalition
refused-col-reason = Why it was refused
change-add-evidence = added evidence
change-add-goal = added a goal
change-admit-member = admitted a member
change-create-pool = created a pool
change-edit-issue = edited an issue
change-flag-forked-key = reported a copied node key
change-flag-forked-keys = reported copied node keys
change-leave-coalition = left the coalition
change-open-proposal = opened a proposal
change-propose-admission = proposed an admission
change-propose-amendment = proposed an amendment
change-propose-removal = proposed a removal
change-raise-issue = raised an issue
change-record-goal-progress = recorded progress on a goal
change-record-meeting = recorded a meeting
change-request-allocation = asked for an allocation
change-restore-earlier-value = put back an earlier value
change-revoke-device-key = withdrew a node key
change-share-issue = shared an issue
change-take-position = took a position
change-unshare-issue = stopped sharing an issue
change-update-profile = updated its profile
change-pledge = pledged
change-contribute = contributed
field-ranks = the ranks
field-evidence = the evidence
field-tags = the tags
field-ledger = the ledger
field-attendance = the attendance
field-agenda = the agenda
field-decisions = the decisions
field-positions = the positions
history-whole-record = the whole record
change-found-coalition = founded the coalition
change-add-device-key = added a node key
history-their-words = “{ $words }” (as the other node named it)
amend-keep-quorum = Keep the quorum it has now ({ $quorum })
amend-quorum-needs-method = Choose a method for this kind of decision too, or leave its quorum as it is.
refusal-not-found = The node found nothing by that name: { $message }
refusal-invalid = The node did not accept what was typed: { $message }
refusal-forbidden = The coalition's rules do not let your organization do this: { $message }
refusal-conflict = This cannot be done as things stand: { $message }
refusal-not-arrived = This coalition has not arrived from the other members' nodes yet: { $message }
refusal-other = The node could not do this: { $message }
refused-showing = Refusals { $from } to { $to } of { $total }
error-amount-exceeds = More than the pool holds now: ask for no more than its balance.
error-viewer = Your account on this node can read everything but change nothing. Ask whoever runs the node if you need to make changes.
signed-in-as = Signed in as { $name }
people-signin-title = Sign in
people-signin-body = Sign in with the name and password you chose with your setup link.
people-signin-forgot = Forgot your password? Ask whoever runs this node for a new setup link.
people-name = Your name
people-name-help = As it was given to you with your setup link (capital letters do not matter).
people-password = Password
people-password-help = The password you chose.
people-wrong = That name and password do not match an account on this node. Check them and try again.
people-too-many = Too many attempts to sign in. Wait a minute, then try again.
people-setup-title = Choose your password
people-setup-intro = This link sets up your account on this node: you sign in as { $name }, who { $role }. It works once.
people-role-editor = can read and change the coalition's records for your organization
people-role-viewer = can read the coalition's records but not change them
people-new-password = New password
people-new-password-help = At least { $min } characters. A few words you will remember work well.
people-again = The same password again
people-again-help = To be sure it was typed as you meant.
people-password-length = A password needs { $min } to { $max } characters.
people-again-differs = The two passwords are not the same.
people-setup-submit = Save my password and sign in
people-setup-invalid = This setup link does not work: it was already used, a newer one replaced it, or it is more than { $days } days old. Ask whoever runs this node for a new one.

## Links with other coalitions
charter-links = Links with other coalitions
charter-links-none = This coalition has no links with other coalitions.
link-affiliate = { $name } ({ $id }) is our affiliate: we publish { $publish } to it ({ $threshold ->
    [one] each statement signed by one of our members
   *[other] each statement signed by { $threshold } of our members
  }) and take { $accept } from it ({ $their ->
    [one] each signed by one of its members
   *[other] each signed by { $their } of its members
  }).
link-affiliate-out = { $name } ({ $id }) is our affiliate: we publish { $publish } to it ({ $threshold ->
    [one] each statement signed by one of our members
   *[other] each statement signed by { $threshold } of our members
  }).
link-affiliate-in = { $name } ({ $id }) is our affiliate: we take { $accept } from it ({ $their ->
    [one] each signed by one of its members
   *[other] each signed by { $their } of its members
  }).
link-parent = We are an affiliate of { $name } ({ $id }): we publish { $publish } to it ({ $threshold ->
    [one] each statement signed by one of our members
   *[other] each statement signed by { $threshold } of our members
  }) and take { $accept } from it ({ $their ->
    [one] each signed by one of its members
   *[other] each signed by { $their } of its members
  }).
link-parent-out = We are an affiliate of { $name } ({ $id }): we publish { $publish } to it ({ $threshold ->
    [one] each statement signed by one of our members
   *[other] each statement signed by { $threshold } of our members
  }).
link-parent-in = We are an affiliate of { $name } ({ $id }): we take { $accept } from it ({ $their ->
    [one] each signed by one of its members
   *[other] each signed by { $their } of its members
  }).
link-end = Ends the link with { $name } ({ $id }).
link-kinds-none = nothing
shared-issue = issues
shared-pool = pool totals
shared-goal = goals' progress
shared-decision = decisions
shared-call = calls to action
shared-mandate = mandate positions
proposal-link = What this proposal decides
calls-heading = Calls to decide our position
calls-intro = Coalitions we are an affiliate of ask us to decide our position on these questions. Answer one with a proposal of our own: it is decided under our own rules, and once it is decided its outcome becomes our position, which our members' nodes sign and send on their own.
call-from = From { $name }. Our proposal must be decided by { $date }.
call-answer-submit = Open a proposal to answer this call
call-answered-by = Answered by our proposal:
call-unknown = This call is no longer among those received, or has closed.
proposal-answers = This proposal answers a call (statement { $call }) from a coalition we are an affiliate of: once it is decided, its outcome becomes our position, and our members' nodes sign it and send it on their own.
link-id = The other coalition's id: { $id }
link-roster = The list of its members we trust first: { $roster }
link-only-tags = Only issues tagged: { $tags }
link-only-goals = Only these goals: { $ids }
link-only-pools = Only these pools: { $ids }
link-weight = Its weight in our mandates: { $weight }
link-weight-members = Its weight in our mandates: its number of members

## What affiliates published
affiliates-link = What our affiliates published, with where each figure came from
affiliates-title = What the affiliates of { $coalition } published
affiliates-intro = Each figure below comes from a statement signed by members of the affiliate that published it. Its line says which statement, how many of that affiliate's members signed it, and the day it speaks of. Only the latest statement on each subject counts.
affiliates-provenance = from statement { $id }, signed by { $signed } of { $members } members of { $name }, as of { $day }
affiliates-of = { $part } of { $whole }
affiliates-period = { $from } to { $to }
affiliates-counts = { $agree } agree, { $abstain } abstain, { $disagree } disagree, { $block } block
affiliates-list-heading = Affiliates
affiliates-list-none = No affiliates yet: a link that takes an affiliate's statements makes one.
affiliates-issues-heading = Issues across affiliates
affiliates-issues-none = No affiliate has published an issue here yet.
affiliates-tags-heading = Tags across affiliates (those several raise first)
affiliates-tags-none = No issue received holds a tag.
affiliates-pools-heading = Resources across affiliates
affiliates-pools-none = No affiliate has published a pool's totals here yet.
affiliates-pool-sums-heading = Resources summed by unit
affiliates-pool-sums-none = Nothing to sum yet.
affiliates-goals-heading = Goals across affiliates
affiliates-goals-none = No affiliate has published a goal's progress here yet.
affiliates-goal-sums-heading = Goals rolled up by unit
affiliates-goal-sums-none = Nothing to roll up yet.
affiliates-decisions-heading = Affiliates' decisions
affiliates-decisions-none = No affiliate has published a decision here yet.
affiliates-col-name = Affiliate
affiliates-col-members = Members
affiliates-col-weight = Weight in our mandates
affiliates-col-issue = Issue
affiliates-col-from = Affiliate
affiliates-col-shared = Members sharing it
affiliates-col-place = Place in its priority
affiliates-col-tags = Tags
affiliates-col-provenance = Where it came from
affiliates-col-tag = Tag
affiliates-col-raised-by = Raised by
affiliates-col-issues = Issues
affiliates-col-pool = Pool
affiliates-col-period = Period
affiliates-col-contributed = Contributed
affiliates-col-pledged = Pledged
affiliates-col-allocated = Allocated
affiliates-col-balance = Balance
affiliates-col-unit = Unit
affiliates-col-pools = Pools
affiliates-col-goal = Goal
affiliates-col-progress = Progress
affiliates-col-by-target = Share of the targets summed
affiliates-col-by-weight = Share of each target, weighted
affiliates-col-goals = Goals
affiliates-col-decision = Decision
affiliates-col-outcome = Outcome
affiliates-col-rule = Rule
affiliates-col-positions = Positions
affiliates-outcome-passed = Passed
affiliates-outcome-failed = Failed
affiliates-outcome-blocked = Blocked
affiliates-outcome-no-quorum = No quorum
affiliates-outcome-open = Still open
affiliates-outcome-other = Unknown outcome
mandates-heading = Our affiliates' positions
mandates-sentence = Counted with each affiliate's weight in our mandates: { $for } for, { $against } against, { $abstain } abstaining, { $silent } not decided yet. Each affiliate decided under its own rules; our own members' positions are counted on their own, below.
mandates-together = Counted together, our members one each and each affiliate with its weight: { $for } for, { $against } against, { $abstain } abstaining.
mandates-outcome = Counting both under the proposal's rule: { $outcome }. The outcome above counts our members alone.
mandates-until = Affiliates' positions that reach us by { $when } count: seven days after the close, for their own decisions to be signed and carried here.
mandates-col-position = Its position
mandate-position-for = For
mandate-position-against = Against
mandate-position-abstain = Abstaining
mandate-position-none = Not decided yet
