// Package tone keeps courtesy's messages polite: it checks a message's
// wording, in the message's own language, and reports pushy, manipulative
// or creepy sentences with the words that carried them and what to write
// instead. Three readers share the work. Phrase rules (YAML, the same
// format a shop uses for its own) catch the set phrases of pressure.
// Structural rules (rules/structure.yaml and rules/<lang>/structure.yaml)
// read what a sentence does from its parts, whatever words fill them: a
// limit next to a loss, other people next to buying, "you" next to a
// watched behaviour and a time or place, a private category applied to the
// reader, a purchase inside a greeting, a shop made sad by the reader. A
// small learnt model per language reads the rest.
//
// # Checking
//
// New builds a Checker for a profile (warm, neutral or informative) plus a
// shop's own rules. Check takes the rendered subject and body at send time;
// CheckTemplate takes template source, masking every {{…}} action with
// spaces of the same length so that line and column are those of the file.
// A masked action that prints a value stands for one unknown word (it
// matches the * and # pattern atoms and nothing else); control actions such
// as {{if}} print nothing. Context.Personal lists values substituted from
// customer data: the shouting rules ignore them, the model does not read
// them, and a pattern match made only of them is not reported, because the
// shop did not write them.
//
// A Checker's rules are fixed at New and it is safe for concurrent use.
// Patterns are compiled at New and indexed by their first one or two
// words; a check of a clean message does not allocate. Held, what the
// worker asks at send time, remembers the texts it passed by their shape
// (the text with the customer's values and links reduced to marks), so a
// campaign's thousands of messages are read once per variant and
// language; a text it holds is checked in full.
//
// # Languages
//
// Context.Lang, a BCP 47 tag, picks the rules by its base language ("pt"
// for "pt-BR"); empty means English. Languages lists those with rules: en,
// de, es, fr, it, nl, pt and sv. English rules are rules/*.yaml; every other
// language has rules/<lang>/ with its phrase rules for urgency, scarcity,
// guilt and tracking and its structural rules, and shares with English the
// rules that read no words
// (capitals, exclamation marks, emoji, the sender, the model rules). Rule
// ids are the same in every language, so disabling courteous.false-urgency
// disables it everywhere. A text in a language without rules is judged by
// the English ones and gets a courteous.language warning saying so; lint
// shows it, and Covers tells a caller in advance.
//
// # Structural rules
//
// Each family has one structural rule, with the same id in every language:
//
//   - courteous.deadline-pressure (urgency): a clock or a loss next to what
//     the reader should do ("your basket won't wait for you forever",
//     "until it's gone", "the price goes at 8pm sharp").
//   - courteous.social-pressure (scarcity): other people next to having
//     bought ("half the street has already ordered theirs"), or little left
//     ("we're down to the last few"); relaxed by stock_data.
//   - courteous.watched (creepy): "you" next to an observed behaviour
//     (viewed, came back to, opened, clicked, browsed, lingered) and a
//     time, place, device or count ("you came back to the lily page three
//     times on Sunday"), or "we saw you lingering".
//   - courteous.sensitive-guess (sensitive): a private category (health,
//     money, age, pregnancy, bereavement, relationships, religion,
//     sexuality) applied to the reader ("at your stage of life", "money a
//     bit tight?").
//   - courteous.greeting-sale (hard-sell, birthday and nps_survey only): a
//     purchase asked for inside a greeting or a survey, or a gift that must
//     be bought ("finish your birthday order and we'll add a surprise").
//   - courteous.guilt-trip (guilt): the shop sad, cold or empty because of
//     the reader ("the ovens feel cold without you").
//
// They are ordinary existence rules written with two pattern tools made for
// them: a file's words: (named lists, used as @name) and the gap .. (up to
// eight words of the same sentence). A finding quotes the sentence from its
// first part to its last and, in Words, the parts without the words between
// them ("won't wait", "forever"), so the marketer sees what carried it. The
// lists and patterns were written from the shapes such lines take, checked
// against the ordinary lines of every grammar, the dev sets and
// corpus/en.tsv (on which they raise nothing), written without sight of
// testdata/fresh and frozen before it was scored.
//
// # The model
//
// Each language has a logistic regression per family (urgency, scarcity,
// guilt, creepy, sensitive, hard-sell) over hashed words, pairs of
// neighbouring words and the character 5-grams inside each word
// (internal/features), so "hurried" and "verpasst" are kin of words it
// learnt. A word of a structural lexicon (a day, a time of day, a device,
// a watched behaviour, other people, buying, a loss, sadness, a private
// matter) also gives its class, alone and paired with its neighbour, so
// "your neighbours ordered" reads like "the whole village bought"; only
// English has class lists (without them, English caught 0.4 to 1.3 fewer
// pushy lines in a hundred of blind5 to blind9 at the same share of
// ordinary lines flagged; lists written for the seven other languages
// moved blind13, which those models had not learnt, by three lines of 576
// or fewer either way, so they were not kept). It reads every sentence of
// three or more words, and every two neighbouring sentences together (a
// guilt trip often takes two). A sentence whose score passes the threshold
// is a finding of the rule of kind model for that family
// (rules/model.yaml): its Words are the up to three words that pushed the
// score up most, its message says how to say it courteously, and a shop
// can disable it or change its severity like any rule. Where a phrase rule
// of the same family fired on the same words, or a shop's exception to one
// covers them, the phrase rule speaks instead.
//
// The weights are trained by `go generate ./tone` (internal/train) from
// four kinds of lines. The grammars in corpus/<lang>.txt, hand-written
// fragments in many voices, expand with a seed taken from the file and
// section names into 3,000 distinct lines per family and 6,000 ordinary
// ones. corpus/en.tsv holds 587 lines the English rules are held to.
// corpus/voices/<lang>.tsv holds lines written whole, as marketers write
// them, in many voices (greetings, reminders, surveys, shop news,
// apologies, service messages): 3,210 pushy lines and about 3,190
// ordinary ones per language (3,090 and 2,896 in Italian), most of the
// ordinary ones sharing words with a family while doing nothing wrong
// ("we close at six on Saturdays", "no thanks" as a plain way out, "our
// large-print calendars"). They were written in twelve rounds by writers who
// saw neither the rules, the models nor the test sets: the first two
// weighted to guilt, hard-sell, sensitive and scarcity, with some
// languages adapted from one another; the third 150 pushy lines per
// family and 330 ordinary ones per language, most pushy lines in the
// writer's own words; the fourth 150 lines of hard-sell and 90 near it;
// the fifth and sixth 600 ordinary lines of the three kinds of message
// courtesy sends, many asking politely for a minute or a score, the sixth
// whole short e-mails; the seventh 120 lines of welcome e-mails, after the
// sixth round's models read a line of the bakery example's welcome ("You
// can change what you hear about, or stop it, at any time …") as creepy;
// the eighth 120 pushy lines of sensitive, most of them subtle, 120
// ordinary lines near it and 60 greetings and surveys that say they sell
// nothing, after blind10 and blind11 showed sensitive caught least; the
// ninth short lines (one sentence of 5 to 14 words), 30 pushy lines per
// family and 10 ordinary lines near each, after the holdout's short lines
// were seen caught least; the tenth 30 pushy lines per family over every
// sub-kind of it (for sensitive: health, money, age, pregnancy,
// bereavement, relationships, religion, sexuality) and 20 ordinary lines
// near each; the eleventh the same, the pushy part said obliquely (in a
// story, a wish, a question or a metaphor, without the family's obvious
// words), over the shapes blind13 showed were missed (minutes spent in the
// shop, a pregnancy or a bereavement guessed from a purchase, a gift that
// needs a minimum spend); the twelfth, after blind14's sensitive misses
// named matters the models had rarely seen, 120 pushy lines of sensitive
// per language, each naming a different private matter (40 of health:
// conditions, medicines, aids, treatments), and 60 of creepy, each a
// different watched detail, with as many ordinary lines near each naming
// the same matters plainly. Ten English and eight Spanish ordinary lines
// were added after the models of the constant threshold (below) read a
// plain ordering hour of corpus/en.tsv ("Night owls can order online until
// midnight") as a deadline and the bakery example's Spanish birthday
// greeting, with its free slice at the counter, as a sale; six per
// language, birthday gifts whose only condition is a word at the counter,
// after the models of the threshold at 0 read that greeting as a sale
// again. The fourth kind is the sets written as blind measures and scored
// (testdata/fresh and testdata/blind to blind15, about 2,360 lines per
// language, named on model.go's go:generate line): once a set has given
// its first score it is no longer unseen, and it is learnt from like the
// voices. The three newest sets, testdata/blind16 to blind18, are not
// (below).
//
// Hand-written lines are seen eight times a pass (-hand), drawn ones
// once. The checker reads each sentence, and each two neighbouring
// sentences together, so every sentence and every two neighbouring
// sentences of an ordinary line are learnt as ordinary too, as many times
// as the line. Each family learns its own lines against the ordinary ones
// only, not against the other families' lines: a line of one family often
// does another's work too ("your birthday treat expires tonight, order
// now"), and being taught otherwise cost recall. One line in ten, chosen
// by a hash of its text, is held out of training (TestVoicesHeldOut
// scores the checker on those of voices/).
//
// Training is stochastic gradient descent in a seeded order, six passes,
// with every weight shrunk 5% a pass; weights under 0.02 in every family
// are dropped and the rest stored as int8 in model/<lang>.gz (325–394
// KB). A family reads a sentence as its own when its score (the log-odds)
// passes 0, the same in every family and language; the step prints, for
// each family, the hand-written ordinary line the model scores highest.
// Running the step twice writes the same bytes.
//
// The threshold used to be set per family, 0.5 above the highest score of
// any hand-written ordinary line. One such line that read like a family
// then raised the bar for every sentence of it ("Zaterdags gaat de deur om
// zes uur dicht" put Dutch urgency at 3.1), so the thresholds followed the
// corpus's few odd lines rather than the model. On blind8 and blind9,
// scored with models that had not learnt them, the constant threshold
// caught about one pushy line in a hundred more than the per-family ones
// at every share of ordinary lines flagged; 1 was chosen there, before
// blind10 was scored and before blind11 and blind12 were written: 91.1%
// caught and 3.1% of ordinary lines flagged on the two, against 93.7% and
// 4.8% at 0 and 88.5% and 2.6% at 2. Three steps later the models flagged
// far fewer ordinary lines, and the threshold was chosen again, on
// blind13, with models that had not learnt it (those of the third step,
// then with the tenth and eleventh rounds):
//
//	threshold   third step        and the two rounds
//	1           524 (91.0%) 0.7%  532 (92.4%) 0.7%
//	0.5         535 (92.9%) 1.2%  -
//	0           545 (94.6%) 1.6%  544 (94.4%) 0.9%
//	-0.5        550 (95.5%) 2.3%  553 (96.0%) 1.7%
//	-1          553 (96.0%) 3.1%  556 (96.5%) 3.0%
//
// 0, even odds, is the lowest whole or half number at which the third
// step's models flagged under 2% of blind13's ordinary lines, and it
// keeps the later models under 1% there; -0.5 catches a line or so more
// in a hundred at nearly twice the share flagged. Of the lines the voices
// hold out, the third step's models flag 3.7% at 1 and 5.3% at 0.
//
// # Switching off per campaign
//
// Context.Allow lists rules (by id) or families a campaign switched off,
// each with the shop's reason (campaign YAML tone_allow). Their findings are
// still returned, as suggestions whose Allowed field carries the reason, so
// lint shows what was allowed and why while the worker sends.
//
// # Rule files
//
// A rule file holds one rule, or a list under rules:, a list of ids to
// switch off under disable: and named lists of words under words:
//
//	disable: [courteous.emoji]
//	rules:
//	  - id: shop.no-cheap                # lower-case words joined by . or -
//	    kind: existence                  # existence|substitution|occurrence|ratio|required
//	    family: wording                  # groups findings in reports; default custom
//	    severity: warning                # error holds the message, warning is logged,
//	                                     # suggestion is shown by lint only; default warning
//	    message: '"{match}" undersells the bread; say "good value".'
//	    tokens: ["cheap~"]               # or patterns:
//	    exceptions: ["cheap and cheerful"]
//	    kinds: [birthday, nps_survey]    # campaign kinds it applies to; default all
//	    unless: [stock_data]             # switched off when the campaign declares stock numbers
//	  - id: courteous.false-urgency      # a built-in id without a kind changes only
//	    severity: warning                # the fields given; exceptions are added
//	    exceptions: ["last chance to see"]
//
// A rule with a built-in id and a kind replaces the built-in rule. Messages
// may use {match}, {with} (the substitution), {count}, {max} and {min}, and
// {words}: the words that carried the finding (for a pattern with a gap,
// its parts without the words between them).
//
// Kinds:
//
//   - existence: every match of tokens is a finding.
//   - substitution: swap maps wording to avoid to wording to use; each
//     match is a finding whose Suggestion is the replacement.
//   - occurrence: counts its scope (tokens, exclamation, exclamation-run,
//     caps-word or emoji) and reports each occurrence past max, or one
//     finding when there are fewer than min. "!!!" is one exclamation; a
//     caps-word is a word of four or more letters written in capitals only,
//     but not a brand joined to a word in lower case ("LEGO-doos"); the
//     built-in rule's exceptions (rules/shouting.yaml) also spare a keyword
//     the reader is asked to reply with ("reply STOP", "svara SLÄPP",
//     "antworten Sie JA"), which is in capitals to be typed as it stands.
//   - ratio: scope capitals, the share of capital letters among the
//     letters of the text's own words (not personal values, not template
//     actions, not codes with digits such as postcodes), judged once there
//     are at least sample letters (default 20); max and min are fractions.
//   - required: scope sender needs the business's name (its first two words,
//     in any case, or a {{.Business.Name}} action); scope tokens needs a
//     match of one of its tokens.
//
// LoadRules reports every problem as a diagnostic with file and line.
//
// # Patterns
//
// Patterns match whole words, case-folded, within one sentence:
// punctuation and single line breaks between words are ignored, but '.',
// '!', '?' and blank lines end a sentence. A word is a run of letters,
// digits and combining marks, so "café", "straße" and "naïve" are words and
// emoji and punctuation are boundaries. An apostrophe inside a word belongs
// to it and ’ equals ', so "don't" matches "Don’t" and "only today" does not
// match "only today's". A hyphen separates words ("weight loss" matches
// "weight-loss"); a '.' or ',' between digits joins them ("2.50" and
// "1,000" are one word). The signs % £ $ € are words of their own.
//
//	act now            the words in a row
//	{act,acts,acting}  one of the alternatives; an alternative may be several
//	                   words: {do not,don't}
//	[so,really]        optional: one of the alternatives, or nothing
//	hurr~              a stem: any word that starts with "hurr"
//	#                  a number: 2, 40th, 2am, 2.50, or two … twenty, dozen
//	*                  any one word (not first)
//	..                 up to eight words of the same sentence, or none
//	                   (not first or last): "won't wait .. forever"
//	@name              the words: list of that name in the same file, as
//	                   alternatives: "{@soon}", "{@soon,at noon}", "@soon"
//
// A rule file may name lists of words or phrases once and use them in any
// of its patterns and exceptions:
//
//	words:
//	  soon: [tonight, at midnight, in an hour]
//	rules:
//	  - id: shop.no-deadline
//	    kind: existence
//	    message: '"{match}" hurries the reader.'
//	    tokens: ["{offer,price} .. {ends,expires} {@soon}"]
//
// Inside {…} or […] an @name stands alone between commas.
//
// # Profiles
//
// The courteous rules catch false urgency and countdowns, fake scarcity
// (relaxed by stock_data), guilt and confirmshaming, shouting (capitals,
// stacked and frequent exclamation marks, emoji), tracking exposed to the
// customer, sensitive inferences (health, pregnancy, money, religion, age,
// body), a hard sell or score coaching inside a birthday greeting or a
// survey, form-letter wording, and a message that does not name its sender.
// The profiles differ in limits: warm allows three exclamation marks and
// three emoji, neutral two and one with capitals at most 25% of letters,
// informative one and none with capitals at most 20%.
//
// # Measured
//
// All with the warm profile. A pushy line counts as caught when a warning
// or error of its family is raised, an ordinary line as flagged when any
// warning or error is. A pushy line is counted only where its family
// reads: hard-sell reads birthday greetings and surveys (its rules'
// kinds), so a line written as hard-sell for a thank-you, shop news, a
// service message or a reminder is left out of its recall (each set's
// summary says how many, and how many pushy lines raised a finding of any
// family). Every figure was printed by the test named beside it, on the
// rules and models as committed (earlier models' by the same tests on the
// code of their day). The tests hold each set where it stands:
// a family that reaches the targets (recall 0.9, at most 2% of ordinary
// lines flagged) must stay there, and every other family, listed in the
// set's map in corpus_test.go, must catch at least as many lines and flag
// no more ordinary ones than it does now.
//
// The newest measure is testdata/blind18, written by writers who saw
// neither the rules, the models, the corpora nor the other sets, after
// the seventh step was frozen, and scored once with it (TestMeasureSets/blind18):
//
//	set      models   caught       flagged    urgency scarcity guilt creepy sensitive hard-sell
//	blind18  seventh  486 (84.4%)  27 (4.7%)  80      87       78    87     69        85
//
// Scarcity and creepy reach 0.9 (87 of 96); hard-sell (0.89), urgency
// (0.83), guilt (0.81) and sensitive (0.72) do not, and no language keeps
// its ordinary lines under 2% and every family at 0.9. Its brief asked for ordinary lines near each
// family that state a fact or offer a plain choice, and many of them deny
// the family they come near ("we don't track what you look at on our
// website", "dozens of customers answer each month, but nothing obliges
// you", "your birthday discount runs to the end of March, and of course you
// needn't use it"): 21 of the 27 flagged are the model's, reading the
// family's words in them, 4 the phrase and structural rules' ("limited
// edition" said of a puzzle already set aside, "the reading glasses display
// you asked about"), and 2 a keyword in capitals to reply with ("reply
// RELEASE"), which caps-word now leaves alone (25 flagged, 4.3%; its
// test cases in TestContext fail without it).
//
// Three changes were tried against blind16 and blind17, which no model
// had learnt, and not kept:
//
//   - A threshold per family, chosen on the two sets with the seventh
//     step's models (urgency 1.5, scarcity -1.25, guilt -1.25, creepy
//     -1.5, sensitive -0.75, hard-sell 1.25): 1050 of their 1152 pushy
//     lines caught and 19 ordinary lines flagged, against 1027 and 19 at
//     0. Chosen on one set and scored on the other it gained less (blind16's
//     on blind17: 515 and 10, against 503 and 8; blind17's on blind16: 526
//     and 16, against 524 and 11), and on the lines the voices hold out it
//     did worse than lowering every family's threshold alike (2070 caught,
//     182 flagged, against 2085 and 172 at -0.5 and 2035 and 146 at 0).
//   - Learning every other language's hand-written lines too, once a pass
//     (the hashed features of names, brands and shared words mean the same
//     in every language): blind16 533 and 10, blind17 509 and 4, the voices
//     held out 2062 and 149 (which flatters it: some voices are adaptations
//     of one another), the dev sets 6 flagged against 8; but the holdout
//     772 and 6, against 783 and 7, the paraphrases 134 and 4, against 136
//     and 5, and the bakery example's Spanish birthday greeting read as a
//     sale.
//   - Learning blind16 and blind17: the holdout 783 and 8, the paraphrases
//     137 and 3, the voices held out 2029 and 149; with the other
//     languages' lines as well, 775 and 7, 135 and 2, 2066 and 140, and the
//     bakery example's Spanish greeting read as a sale again.
//
// A fourth, tried after blind18 was scored, gave each word within three
// words after a negation ("not", "kein", "sin", "pas", "utan") a feature
// of its own, so that "we don't track what you look at" need not read as
// tracking: blind16 525 and 10, blind17 504 and 7, blind18 488 and 24, the
// voices held out 2031 and 146, the dev sets 8 flagged; a line or two
// each way, and not kept.
//
// Each moved a set by a point or two, some up and some down; none moved
// every set the same way. What the checker misses now needs knowledge of
// what words mean that neither phrase lists nor a model of a few thousand
// lines per family can hold: that a wig during treatment, Ramadan next
// month or a pram saved say something private about the reader, that the
// café across from their office means they were followed, that "the girls
// at the salon ask after you every week" is a reproach. Word vectors
// learnt from far more text than the corpus, in all eight languages, would
// be the next step; the repository holds none.
//
// Before blind18, testdata/blind17 was the measure, written while the
// seventh step below was made, and scored once after it was frozen
// (TestMeasureSets/blind17). The
// seventh step changed rules only; its models are the sixth step's. The
// models trained with blind16 read the bakery example's Spanish birthday
// greeting as a sale again, and four more greetings of its shape in the
// voices did not change that, so blind16 is not learnt. On blind17:
//
//	set      models   caught       flagged    urgency scarcity guilt creepy sensitive hard-sell
//	blind17  seventh  503 (87.3%)   8 (1.4%)  91      86       80    79     78        89
//	blind17  sixth    503 (87.3%)   8 (1.4%)  91      86       80    79     78        89
//	blind17  third    460 (79.9%)   5 (0.9%)  82      80       77    72     71        78
//
// The seventh step's rules caught no line of blind17 that the sixth
// step's did not. Urgency (0.95) and hard-sell (0.93) reach 0.9; scarcity
// falls short by less than a line (86 of 96), guilt (0.83), creepy (0.82) and
// sensitive (0.81) by more, and no language meets both targets. Its creepy
// misses are the places and people around the reader (the café across
// from their office, the gym next door, the sister they came with, the
// shawl they hung back on Saturday), its guilt misses warm regret ("last
// year's birthday voucher went unused, which stung a bit", "the girls at
// the salon ask after you every week"). Of the 8 ordinary lines flagged,
// 7 are the model's and one greeting-sale's.
//
// blind16 was written while the sixth step below was made, as blind5 to
// blind15 were: by writers who saw neither the rules, the models, the
// corpora nor the other sets, from the families' definitions alone; 12
// pushy lines per family and 72 ordinary lines (36 of them near a family)
// per language, of the three kinds of message courtesy sends, half of them
// one short sentence. It was scored once, after the models and rules were
// frozen; only the seventh step's rules came after it (TestMeasureSets/blind16).
// blind10 to blind15, written the same way (blind10 to blind12 without the
// short half), were each scored once before they were learnt from; after
// blind15's, one rule was added (below). Shouting left out, pushy lines
// caught of 576 (96 per family) and ordinary lines flagged of 576, with
// the models and rules of each step ("sixth" is the models as committed;
// the steps are below) and with the models before them all ("before":
// grams of three to five bytes, a threshold per family, no blind set
// learnt):
//
//	set      models  caught       flagged    urgency scarcity guilt creepy sensitive hard-sell
//	blind16  sixth   515 (89.4%)  11 (1.9%)  92      88       78    89     79        89
//	blind16  fifth   511 (88.7%)  12 (2.1%)  93      87       76    88     78        89
//	blind16  third   459 (79.7%)   8 (1.4%)  89      80       70    71     67        82
//	blind15  +rule   523 (90.8%)   9 (1.6%)  90      95       83    84     82        89
//	blind15  fifth   516 (89.6%)   9 (1.6%)  90      95       83    84     82        82
//	blind15  fourth  504 (87.5%)   8 (1.4%)  89      94       83    81     76        81
//	blind15  third   473 (82.1%)   8 (1.4%)  88      87       81    73     71        73
//	blind14  fourth  506 (87.8%)   9 (1.6%)  89      89       85    81     74        88
//	blind14  third   469 (81.4%)   5 (0.9%)  83      83       81    76     66        80
//	blind13  third   524 (91.0%)   4 (0.7%)  90      92       89    85     81        87
//	blind13  second  521 (90.5%)   5 (0.9%)  90      91       87    84     80        89
//	blind13  first   520 (90.3%)   8 (1.4%)  90      90       88    84     79        89
//	blind13  before  499 (86.6%)  27 (4.7%)  83      86       84    83     76        87
//	blind12  second  540 (93.8%)   9 (1.6%)  91      90       88    90     89        92
//	blind12  first   536 (93.1%)  15 (2.6%)  92      90       88    89     85        92
//	blind12  before  509 (88.4%)  27 (4.7%)  85      85       85    90     80        84
//	blind11  first   528 (91.7%)  16 (2.8%)  92      89       88    88     84        87
//	blind11  before  489 (84.9%)  28 (4.9%)  86      81       79    81     75        87
//	blind10  first   530 (92.0%)  18 (3.1%)  86      93       92    87     82        90
//	blind10  before  500 (86.8%)  37 (6.4%)  81      88       84    88     72        87
//
// On blind16, the sixth step's models and rules caught 515 pushy lines
// (89.4%) and flagged 11 ordinary ones (1.9%) on its first score; with
// the seventh step's rules, written after its misses were read, 524
// (91.0%) and 11, guilt 85 and sensitive 81; the fifth step's 511 and 12,
// the third's 459 and 8. Urgency, creepy and hard-sell catch 0.93 to 0.96
// of their lines, scarcity 0.92; sensitive 0.82 and guilt 0.81 do not
// reach 0.9. English misses only sensitive (10 of 12) and flags 2
// ordinary lines; every other language misses guilt or sensitive or both
// by a line or more (German sensitive 7 of 12, Spanish and Portuguese
// guilt 8). Its guilt misses are the refusal button that shames ("«Paso
// de ayudar al comercio del barrio»", "'Ik drink liever slappe koffie'"),
// "the tailor checks every day whether you have answered", "after all our
// advice"; its sensitive misses a feast or a faith wished on the reader
// (Ramadan next month), a baby on the way guessed from a saved pram, a
// wig during treatment, weight lost, a first birthday alone. Of the 11
// ordinary lines flagged, 10 are the model's, and one the rules':
// sensitive-age on "Happy 7th birthday" from a toy shop to a child.
//
// On blind15, the fifth step's models and rules, frozen before it was
// scored, catch 516 pushy lines (89.6%) and flag 9 ordinary ones (1.6%),
// 12 and 1 more than the fourth step's and 43 and 1 more than the
// third's: sensitive 82 of 96 against 76 and 71, creepy 84 against 81 and
// 73. Scarcity and urgency catch 0.94 to 0.99 of their lines; guilt 0.86,
// creepy 0.88, sensitive 0.85 and hard-sell 0.85 do not reach 0.9. Seven
// of its hard-sell misses asked for a particular score ("Un 10 sur 10
// ferait tellement plaisir à toute l'équipe", "geef ons dan gewoon een
// dikke tien"), which only English had a rule for; score-coaching now
// reads it in all eight languages, written after those misses were read,
// so "+rule" (523, 90.8%, no ordinary line more) is not a blind figure.
// Its other misses are guilt said as a wish ("the girls at the salon keep
// asking when you'll be back", "Un an de plus, et toujours pas revenue
// goûter nos éclairs ?"), a faith or a feast named (a Seder, the end of
// Ramadan, "familias tan creyentes"), a partner's gender, and a birthday
// made a reason to buy ("you've earned that new mountain bike, haven't
// you?"). 8 of the 9 ordinary lines flagged are the model's; one is
// watched reading "ouvert du mardi au samedi" as a day the reader was
// seen. Per language, no language meets both targets.
//
// blind14 was written to the same brief as blind13 and is harder for every
// model: the third step's models caught 91.0% of blind13 and 81.4% of
// blind14. On it the fourth step catches 37 more pushy lines than the
// third and flags 4 more ordinary ones: 30 of the lines and 4 of the
// flags come with the threshold at 0 (the fourth step's models at 1
// catch 476, 82.6%, and flag 5), 7 lines with the two rounds, blind13
// learnt and the greetings added. Urgency and scarcity catch 0.93 of their
// lines, hard-sell 0.92, guilt 0.89, creepy 0.84 and sensitive 0.77; no
// language meets both targets (each misses a family by a line or more,
// most often sensitive). Of the 9 ordinary lines flagged, 5 are the
// model's and 4 the rules': a brand in capitals ("LEGO") twice, "your
// prescription" in a thank-you for collecting it, and an Italian
// "sistemata" (altered, of a jacket) read by sensitive-guess. Its
// sensitive misses name a matter the models have rarely seen (blood
// pressure tablets, psoriasis, varicose veins, incontinence, a halal
// counter, Ramadan shopping, a plus-size dress), its creepy misses the shop
// floor watched (the minute the reader left the café, the running shoes
// hidden behind the socks, the friend who came along on Saturday).
//
// On blind13, with the third step's models, 91.0% of pushy lines were
// caught and 0.7% of ordinary lines flagged (4 lines, all by the model);
// urgency, scarcity, guilt and hard-sell caught 0.91 to 0.96 of their
// lines, creepy 0.89 and sensitive 0.84. Its creepy misses were mostly the
// shop floor watched ("Sie waren 47 Minuten bei uns im Laden – wie war
// es?", "Dopo la tua dodicesima visita di questo mese, ci dai un voto?",
// the minute the reader left the salon), its sensitive misses a pregnancy
// or a faith wished on the reader in passing ("Happy Birthday, und bald
// ist ja auch das Baby da, oder?"). No language met both targets on it;
// each missed a family by a line or more.
//
// On blind12, with the second step's models, summed over the languages,
// every family catches 0.92 to 0.96
// of its lines and 1.6% of ordinary lines are flagged: the targets are met
// on the set as a whole. Per language, where a family has 12 lines and one
// line is 8 points, they are not: Spanish meets both (every family 11 or 12
// of 12, no ordinary line flagged); German catches 11 or 12 in every family
// but flags 3 ordinary lines of 72; the other six catch 10 of 12 in one
// family or more, English only in urgency. Of the 9 ordinary lines flagged,
// 6 are the model's and 3 the rules': sensitive-guess on a product the
// reader asked for because of a condition, asked in words the exception
// does not list or after the product ("die zuckerfreien Kekse, nach denen
// du wegen deiner Diabetes gefragt hattest", "que vous nous aviez demandé
// pour Pilou et son arthrose"). The third step's rules read the German
// one; the French and the Italian ("che ci avevi chiesto per il tuo mal
// di schiena") still raise sensitive-guess, the private word being too far
// from the asking or followed by "vous".
//
// The steps. The first (five-byte grams, each family against ordinary
// lines, one threshold, the scored blind sets learnt; its choice is set
// out below) took blind10 from 500 to 530 caught and 37 to 18 flagged on
// its first score, and blind11 from 489 to 528 and 28 to 16. On blind10's
// first score 9 of the 18 ordinary lines flagged were the rules': five
// greetings and surveys saying they carry no offer ("weder Rabatt noch
// Werbung", "não tem promoções nem descontos", "inte kopplad till några
// erbjudanden"), three products or requests named as private ("You asked
// us to check in after fitting your frames around your hearing aids"), and
// one basket reminder; on blind11's, 6 of 16, four of them again a survey
// or greeting saying it has nothing to do with offers ("keinen Einfluss
// auf Preise oder Angebote"), and "no hurry at all" (the model flagged the
// other 10). The rules changed after each. After blind10, with the first
// step's models, they came to excuse a sale word after "weder",
// "keinerlei", "não tem", "no tiene", "non ha" and Swedish "inte … några",
// and a private word up to four words after a request ("as you asked",
// "wie gewünscht", "comme vous l'avez demandé" …) in every language. After
// blind11, as part of the second step, they came to excuse a sale word up
// to four words after any negation that cannot begin a "miss no offer"
// push ("kein", "sin", "ni", "nunca", "sans", "aucun", "senza", "né",
// "geen", "sem", "nem", "inga", "aldrig" …) or after more negated verbs
// ("non riceverà", "no usaremos" …), and "no hurry".
// TestGreetingSaleReadsNegationAndClubs,
// TestSensitiveGuessSparesTheShopsOwnWords and TestNoHurryIsNotUrgency
// hold them: 7 of the 12 cases added after blind10 and 9 of the 12 added
// after blind11 fail without the change that came with them. The second
// step is the later rules, the eighth round of voices, and blind11 learnt:
// on blind12, 4 more pushy lines caught (sensitive 4 more, creepy one
// more, urgency one fewer) and 6 fewer ordinary lines flagged than the
// first step's models. The third step is the ninth round of voices (short
// lines), the rules excusing a private word before a past verb of asking
// ("die Kekse, nach denen du wegen deiner Diabetes gefragt hast") and more
// forms of asking before it ("que vous nous aviez demandé", "che ci avevi
// chiesto"; 2 of the 3 new cases of
// TestSensitiveGuessSparesTheShopsOwnWords fail without them), and blind12
// learnt. The fourth step is the threshold at 0 (chosen on blind13,
// above), the tenth and eleventh rounds of voices, the six greetings per
// language with a gift for a word at the counter, and blind13 learnt; the
// rules did not change. The fifth step is the twelfth round of voices,
// blind14 learnt, and three fixes to the rules after blind14's ordinary
// lines flagged: a brand in capitals inside a compound ("LEGO-doos") is a
// name, not shouting; "your prescription" collected or ready is the
// reader's errand, not their health; and "Cristiano" is a name, not a
// faith (Italian and Spanish now read "come cristiana", "como cristiano"
// and the like). TestContext, TestHealthRuleSparesThePharmacysErrands and
// TestSensitiveGuessSparesTheShopsOwnWords hold them; each of their new
// cases fails without its fix. The threshold stayed at 0: on blind14, with
// the fifth step's lines, 0 flagged 1.4% of ordinary lines and -0.5 2.1%.
// Fewer lines drawn from the grammars (-n 300, 100 or 0 against 3,000)
// caught 5 to 13 fewer of blind14's pushy lines at 0, flagging from 5
// fewer to 2 more ordinary ones, and was not kept. The sixth step is
// blind15 learnt and score-coaching in every language. A thirteenth round
// of voices (60 pushy lines each of guilt and hard-sell per language that
// sound friendly, 60 ordinary lines near each) was written for it and not
// kept: with it, blind15 (not yet learnt) gave 524 caught and 11 flagged
// against 523 and 9 without it. The seventh step is rules after blind16's
// misses: guilt in every language reads being forgotten ("auch wenn Sie
// uns ganz vergessen haben"), a debt for the shop's advice ("après tous
// nos conseils") and a refusal that mocks the reader as no friend of local
// shops ("«Paso de ayudar al comercio del barrio»"; in English
// confirmshaming reads it), as only English did in part; sensitive-guess
// reads weight lost ("nu je zoveel bent afgevallen") in every language.
// TestGuiltInEveryLanguage and TestSensitiveGuessSparesTheShopsOwnWords
// hold them: 13 of the 19 guilt cases and 5 of the 6 weight cases fail
// without them.
//
// The lines never learnt from:
//
//	set (pushy, ordinary)            before            first             second          third           fourth          fifth           sixth
//	holdout (900, 489)               707 (79%) 1.6%    728 (81%) 0.4%    723 (80%) 0.6%  735 (82%) 0.4%  786 (87%) 2.0%  780 (87%) 1.8%  783 (87%) 1.4%
//	paraphrases (170, 200)           126 (74%) 1.5%    125 (74%) 1.0%    125 (74%) 1.0%  127 (75%) 1.0%  136 (80%) 1.5%  140 (82%) 2.5%  136 (80%) 2.5%
//	voices held out (1,744, ~1,920)  1,323 (76%) 6.4%  1,365 (78%) 3.3%  -               -               -               -               -
//	dev, ordinary lines only (450)   0.0%              0.9%              0.9%            1.1%            1.3%            1.3%            1.8%
//
// The voices held out grow with every round: with the third step's models
// (eighth and ninth rounds) 1,569 of 1,983 pushy lines caught (79%) and
// 3.7% of 2,121 ordinary lines flagged; with the fourth's (tenth and
// eleventh too) 1,899 of 2,258 (84%) and 5.5% of 2,352; with the fifth's
// and the sixth's (twelfth too) 2,035 of 2,411 (84%) and 5.9% of 2,487. On
// the holdout the sixth step catches, by family, urgency 138 of 150,
// scarcity 143, creepy 136, guilt 134, sensitive 120 and hard-sell 112,
// and flags 7 ordinary lines, all the model's, 3 of them Italian. The
// holdout and the paraphrases miss the targets. On the holdout, by family,
// third step then fourth: urgency 135 and 138 of 150, scarcity 131 and
// 142, creepy 129 and 136, guilt 127 and 133, sensitive 115 and 123, hard-
// sell 98 and 114; at threshold 1 the fourth step's models catch 741 and
// flag 0.8%, so the threshold brought 45 of the 51 more lines caught there
// and 6 of the 10 flags (4 at threshold 1). The 10 are all the model's: 1
// in English, 2 in Portuguese, 1 in Swedish and 6 of Italian's 62 ordinary
// lines. Its lines are short and most are the same line in each language,
// so it is not eight samples; its hard-sell lines ("Ihr Warenkorb freut
// sich über neue Lieblingsstücke", "Cinq étoiles pour nous ? Alors cinq
// pour cent pour vous") are caught least. The dev lines once set the
// thresholds, so the old models could flag none of them; now the model
// flags 8.
//
// How the first step was chosen. Each change was compared at the same share
// of ordinary lines flagged, moving every threshold by the same amount and
// reading the pushy lines caught where 3, 4 and 5% of ordinary lines were
// flagged (interpolated), first over blind to blind9 and fresh together,
// which none of those models had learnt, then, once blind to blind7 and
// fresh were learnt from, over blind8 and blind9:
//
//	                                               3%    4%    5%
//	models before                                  78.2  81.5  83.5
//	character grams of five bytes only             82.9  85.7  87.8
//	and each family against ordinary lines only    84.9  87.4  89.2
//	and hand-written lines eight times a pass      85.5  87.6  89.3
//	the same, on blind8 and blind9                 87.8  90.0  91.6
//	and blind to blind7 and fresh learnt           89.6  91.6  92.7
//	and one threshold                              90.6  92.5  93.8
//
// Tried and not kept, each within about a point of what it was compared
// with: grams of three to five with weights shrunk 10% or 20% a pass
// (80.7–80.6 at 3% against 80.9, counting the holdout and paraphrases
// too); grams of four, of five and six, or none (80.8–82.7 at 3%,
// against 82.9 for five); grams of six, as good as five (83.4 at 3%
// alone, 84.5 against 84.9 with each family against ordinary lines); grams
// of four to six at the start of a word only (83.5 against 84.9); no
// English classes;
// and, on blind8 and blind9, ten passes, 1,000 drawn lines per section,
// hand-written lines twelve times, as many drawn ordinary lines as of a
// family, ten times the L2, word triples, word pairs with a gap, scores
// divided by the root of the number of features, and hard-sell learnt only
// from ordinary greetings and surveys (89.1–91.0 at 3% against 89.6–90.6).
//
// Before this change, each set was scored as it came; the table keeps
// those figures. Shouting left out, caught and flagged with the models
// before the third round of voices, after it, after the fourth and fifth,
// after the sixth, after the seventh, and with the models "before" above
// (the seventh's lines, trained on every sentence and pair of an ordinary
// line):
//
//	set (pushy, ordinary)   second          third           fifth           sixth           seventh         before
//	holdout (900, 489)      724 (80%) 2.5%  727 (81%) 1.8%  720 (80%) 1.6%  698 (78%) 1.8%  696 (77%) 0.6%  707 (79%) 1.6%
//	paraphrases (170, 200)  129 (76%) 2.0%  130 (76%) 1.0%  134 (79%) 1.5%  125 (74%) 1.0%  125 (74%) 0.0%  126 (74%) 1.5%
//	fresh (720, 336)        553 (77%) 7.1%  564 (78%) 6.8%  565 (78%) 6.5%  555 (77%) 5.1%  541 (75%) 6.2%  559 (78%) 5.4%
//	blind (960, 480)        706 (74%) 7.1%  757 (79%) 6.9%  759 (79%) 5.6%  726 (76%) 4.0%  709 (74%) 2.9%  740 (77%) 3.1%
//	blind2 (576, 288)       392 (68%) 4.2%  428 (74%) 6.9%  427 (74%) 3.1%  411 (71%) 2.8%  406 (70%) 2.8%  419 (73%) 2.8%
//	blind3 (1,038, 768)     892 (86%) 8.7%  927 (89%) 5.2%  923 (89%) 6.0%  899 (87%) 4.0%  908 (87%) 4.7%  921 (89%) 4.6%
//	blind4 (113, 320)        76 (67%) 14.7%  79 (70%) 15.0%  89 (79%) 12.5%  83 (73%) 8.8%   79 (70%) 7.5%   93 (82%) 7.8%
//	blind5 (576, 576)       486 (84%) 11.8% 499 (87%) 11.6% 510 (89%) 8.7%  493 (86%) 7.5%  489 (85%) 7.3%  499 (87%) 7.1%
//	blind6 (576, 576)       479 (83%) 10.8% 516 (90%) 13.2% 506 (88%) 9.9%  497 (86%) 6.4%  499 (87%) 6.2%  510 (89%) 6.4%
//	blind7 (576, 576)       -               -               -               -               514 (89%) 4.9%  526 (91%) 4.9%
//	blind8 (576, 576)       -               -               -               -               -               519 (90%) 7.5%
//	blind9 (576, 576)       -               -               -               -               -               511 (89%) 4.9%
//
// "before" is those models with the phrase rules as they were after
// three fixes the sets showed were needed: a greeting that says it
// carries no offer ("keine Angebote, nur ein Gruß"), or a gift with no
// minimum spend, read as a sale; so did any mention of a club ("the
// knitting club sends its wishes"), where now only a membership pushed or
// priced is; and Portuguese and Spanish "separada" (set aside in the shop)
// read as a separation. The fixes caught no pushy line fewer on any set
// and flagged fewer ordinary lines on blind (3.5% before them), blind2
// (3.1%), blind3 (4.8%), blind5 (7.5%), blind7 (5.6%) and blind8 (8.9%);
// TestGreetingSaleReadsNegationAndClubs and
// TestSensitiveGuessSparesTheShopsOwnWords hold them.
//
// Each blind set was written by someone who saw neither the rules, the
// models, the corpora nor the sets before it, from the families'
// definitions alone, while a round of voices was written by others, and
// first scored with the models before and after that round. Nothing was
// tuned on a set once scored, except that the fourth round (hard-sell) was
// written after the third set showed hard-sell caught least, and the fifth
// after the models were seen to flag polite survey requests in the earlier
// sets. All of them up to blind10 are now learnt from (TestLearntSets
// holds what the checker does on them, which measures nothing unseen).
//
//   - blind and blind2 came with the first two rounds (first scores 640,
//     7.7% and 390, 3.8%, counted then with shouting and over every kind).
//   - blind3 (24 pushy lines per family, 96 ordinary, per language) came
//     with the third round: 892 (86%), 8.7% before it, 927 (89%), 5.2%
//     after. Two thirds of its hard-sell lines were written for kinds of
//     message hard-sell does not read; of the 78 it reads, 72 were caught.
//   - blind4 (40 hard-sell lines and 40 near them per language) came with
//     the fourth round: 79 of the 113 it reads before (70%), 91 (81%)
//     after; 15.0% and 10.6% of its ordinary lines flagged.
//   - blind5 and blind6 (12 pushy lines per family and 72 ordinary per
//     language, of the three kinds courtesy sends) came with the fifth and
//     sixth rounds: blind5 500 (87%), 12.8% before, 510 (89%), 8.7% after;
//     blind6 506 (88%), 9.9% before, 497 (86%), 6.4% after. Their writers
//     said that the Swedish lines of blind5 are close to its Portuguese
//     ones, and the writers of the earlier sets that many lines follow one
//     scenario across languages: the languages are not independent samples.
//   - blind7, written as blind5, came with the change to the training step
//     that learns every sentence and pair of an ordinary line: 514 (89%),
//     4.9% before it, 526 (91%), 5.6% after. On the sets seen before, the
//     change caught 110 more pushy lines and flagged 5 more ordinary ones
//     (blind to blind6 and fresh together). Its writer said many of its
//     Dutch lines follow the Italian ones.
//   - blind8, written as blind5 but after everything above was frozen,
//     came with no round: 519 (90%) caught, 51 (8.9%) ordinary lines
//     flagged on its first score, 33 of them by the model. Of the 18 the
//     rules flagged, 8 were a warm "we miss you" in a birthday wish, which
//     the guilt rule reads as guilt by design (the writers were asked for
//     lines of that kind), and 8 were the greeting-sale faults fixed
//     above. The writers said that some German scenarios follow the
//     English ones and some Dutch the Italian.
//   - blind9, written as blind8 by other writers, who were told that the
//     shops count "we miss you" as guilt, was scored once, with the rules
//     fixed and the models as committed: 511 (89%) caught, 28 (4.9%)
//     ordinary lines flagged, 24 of them by the model. Nothing was changed
//     after it. The per-family recall is 0.78–0.94; in two languages (es,
//     pt) it flags one ordinary line of 72 (1.4%), in the other six two to
//     seven.
//
// Each round of ordinary lines took flagged ordinary lines down on most
// sets and caught one to four points fewer pushy lines; a round of pushy
// lines did the opposite. The seventh round was not measured on a set
// written for it. Raising the thresholds instead does the same
// trade: set so that at most 0.5% of the held-out ordinary voices lines
// pass each, the fourth round's models flagged 2.9% of blind3's ordinary
// lines and caught 81% of its pushy ones (against 5.7% and 90%); at 1%,
// 4.7% and 86%. Those models kept a threshold per family, set above the
// highest ordinary line as described under The model.
// Training with other settings (-hand 3 or 8, -n 1500, -epochs 10 on the
// third round's lines; -n 300, -ok 4 on the fifth's) moved no blind set by
// more than four points. Only -hand 8 did better on every blind set it was
// scored on (blind and blind2: 9 more pushy lines caught, 6 fewer
// ordinary ones flagged, of 2,304); the defaults were kept rather than
// tuned on sets already seen.
//
// By family, with the models before, on blind3 to blind9 (summed over
// the languages; the new models' figures on blind10 and blind11 are
// above):
//
//	set     urgency  scarcity  guilt    creepy   sensitive  hard-sell
//	blind3  178/192  177/192   149/192  184/192  163/192     70/78
//	blind5   88/96    82/96     89/96    91/96    69/96      80/96
//	blind6   80/96    91/96     84/96    92/96    76/96      87/96
//	blind7   92/96    88/96     88/96    91/96    81/96      86/96
//	blind8   91/96    91/96     85/96    91/96    79/96      82/96
//	blind9   89/96    88/96     90/96    89/96    75/96      80/96
//
// Creepy reaches 0.9 on all six; urgency, scarcity and hard-sell on some
// (0.83–0.96); guilt on blind5, blind7 and blind9 (0.78–0.94); sensitive
// on none (0.72–0.85). It is ordinary lines near guilt and sensitive (a
// thank-you, a polite request, a birthday wish that mentions the years, a
// product for everyone) that are most often flagged. On the older sets
// (holdout, paraphrases, fresh, blind, blind2) hard-sell is caught least.
//
// Per language, the tests print a table for each set (TestHoldout,
// TestParaphrases, TestMeasureSets, TestLearntSets,
// TestVoicesHeldOut, TestDev); corpus_test.go holds every figure below the
// targets.
// corpus/en.tsv is caught in full with no finding on an ordinary line
// (TestCorpus). Of testdata/dev's 450 ordinary lines, among them the
// English lines the structural rules were tuned on, the model flags 8.
//
// What misses is mostly the model. With the models before, of the 141
// ordinary lines of blind3, blind5, blind6 and blind7 flagged, 119 were
// the model's; the phrase and
// structural rules flag 22 (exclamation-run 6, tracking 5, sensitive-guess
// 5, caps-word 3, greeting-sale 2, watched 1); as committed, 1 of
// blind17's 8 and 4 of blind18's 25. A linear model
// over words and n-grams learnt from some 7,300 written lines per language
// reads the surface of a sentence: "It's fine to skip this" under a survey
// still reads as guilt, and with the fifth round's models "On pense bien à toi
// aujourd'hui" in a birthday wish read as a guess at a bereavement and
// "Happy birthday, Margaret!" as sensitive, carried by the name. A
// customer's own values (a name, a product they saved) are not read by
// the model (TestModelDoesNotReadPersonalValues), so a name never holds a
// message; the name in that test line was written into it.
//
// Speed: BenchmarkCheck checks a 1 KB birthday greeting with every
// built-in rule and the model, BenchmarkCheckWithFindings one that raises
// six findings, BenchmarkCheckLanguages does the first in each language,
// and BenchmarkHeld is the send-time check of a campaign's messages,
// passed from memory. On the 2-core machine, load under 1, 500 checks a
// run, three runs: 146–182 µs per 1 KB English message (127–137 in
// BenchmarkCheckLanguages), 188–279 µs with six findings, 45–57 µs in the other
// languages, and 7.4–9.0 µs for Held; well under the 1 ms the checker
// must stay below. New, which reads the eight models once per process,
// takes 23–24 ms. The machine ran slower that day than on the day of the
// figures before (84–88 µs in English): the models of the third step,
// run beside them, took 127–148 µs in English and 47–52 µs in German, so
// the larger models cost no measurable time. The models before the first
// step, with three times the character grams, took 102–105 µs in English
// and 55–78 µs in the other languages on the earlier day.
// docs/PERFORMANCE.md has the pipeline's figures.
package tone
