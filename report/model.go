package report

import "time"

// SmallSample is the label shown instead of a figure that rests on too few
// messages.
const SmallSample = "small sample"

// MinGroup is the smallest sent or control group a comparison is drawn
// from.
const MinGroup = 30

// Report is the owner's view of a period.
type Report struct {
	Since      time.Time  `json:"since"`
	Until      time.Time  `json:"until"`
	Attributed string     `json:"attribution_window"` // e.g. "7d"
	MinSample  int        `json:"min_sample"`
	Campaigns  []Campaign `json:"campaigns"`
	Purposes   []Purpose  `json:"purposes"`
	Segments   []Segment  `json:"segments"`
	Days       []Day      `json:"days"`
	Signups    Signups    `json:"signups"`
}

// LastDay is the period's last day, in the business's time zone: Until
// is exclusive, so a calendar month ends on its last day, not the next
// month's first.
func (r *Report) LastDay() string { return r.Until.Add(-time.Nanosecond).Format(time.DateOnly) }

// Campaign is one campaign's figures over the period.
type Campaign struct {
	ID        string    `json:"id"`
	Name      string    `json:"name"`
	Purpose   string    `json:"purpose"`
	Guardrail Guardrail `json:"guardrail"`
	Total     Figures   `json:"total"`
	// Variants break Total down by variant; the variant "" holds the
	// messages decided before a variant was drawn (no consent, paused …).
	Variants []Figures `json:"variants,omitempty"`
	Versions []Version `json:"versions"`
	Churn    Churn     `json:"churn"`
	Feedback Themes    `json:"feedback"`
	Comments []Comment `json:"comments,omitempty"`
}

// Guardrail is the campaign's pause switch as it stands.
type Guardrail struct {
	Paused bool      `json:"paused"`
	Reason string    `json:"reason,omitempty"`
	At     time.Time `json:"at,omitzero"`
}

// Figures are the counts and rates of a campaign or one of its variants.
type Figures struct {
	Variant  string `json:"variant"`
	Eligible int    `json:"eligible"` // messages planned and decided
	Control  int    `json:"control"`
	// ControlShare is control ÷ the messages that reached the holdout
	// draw (those not suppressed before it for consent, pause, purchase,
	// fatigue or a suppressed address).
	ControlShare  float64        `json:"control_share"`
	Sent          int            `json:"sent"`
	Suppressed    map[string]int `json:"suppressed"` // by reason
	Held          map[string]int `json:"held"`       // by reason, e.g. tone:urgency
	Expired       int            `json:"expired"`
	Failed        map[string]int `json:"failed"` // by reason
	Bounced       int            `json:"bounced"`
	OptOuts       int            `json:"optouts"`
	OptOutRate    Rate           `json:"optout_rate"`
	Complaints    int            `json:"complaints"`
	ComplaintRate Rate           `json:"complaint_rate"`
	NPS           NPSFigure      `json:"nps"`
	Purchases     Uplift         `json:"purchases"`
	Revenue       Revenue        `json:"revenue"`
}

// Rate is a proportion with its Wilson interval.
type Rate struct {
	Count       int      `json:"count"`
	Of          int      `json:"of"`
	Value       float64  `json:"value"`
	Interval    Interval `json:"interval"`
	SmallSample bool     `json:"small_sample"`
}

func rateOf(x, n, minSample int) Rate {
	// Reactions count in the period they were given, so a campaign that
	// sent little in the period can draw more opt-outs in it than it sent:
	// the rate is then whole, not above one, and its interval stays one.
	p := min(x, n)
	r := Rate{Count: x, Of: n, Interval: Wilson(p, n), SmallSample: n < minSample}
	if n > 0 {
		r.Value = float64(p) / float64(n)
	}
	return r
}

// Uplift compares the share of sent messages followed by a purchase with
// the same share in the control group.
type Uplift struct {
	Sent          int      `json:"sent"`
	SentBuyers    int      `json:"sent_buyers"`
	SentRate      float64  `json:"sent_rate"`
	Control       int      `json:"control"`
	ControlBuyers int      `json:"control_buyers"`
	ControlRate   float64  `json:"control_rate"`
	Diff          float64  `json:"diff"`
	Interval      Interval `json:"interval"` // Newcombe hybrid score, 95%
	SmallSample   bool     `json:"small_sample"`
}

// Revenue compares revenue per message, in the shop's currency units.
type Revenue struct {
	SentPerMessage    float64  `json:"sent_per_message"`
	ControlPerMessage float64  `json:"control_per_message"`
	Diff              float64  `json:"diff"`
	Interval          Interval `json:"interval"` // Welch, 95%
	SmallSample       bool     `json:"small_sample"`
}

// Churn compares the customers of the sent and control groups who left:
// withdrew every purpose, or bought nothing after their message.
type Churn struct {
	Sent           int      `json:"sent"`
	SentChurned    int      `json:"sent_churned"`
	SentRate       float64  `json:"sent_rate"`
	Control        int      `json:"control"`
	ControlChurned int      `json:"control_churned"`
	ControlRate    float64  `json:"control_rate"`
	Diff           float64  `json:"diff"`
	Interval       Interval `json:"interval"`
	SmallSample    bool     `json:"small_sample"`
}

// Version counts the decisions taken by one version of a campaign.
type Version struct {
	Version   string         `json:"version"`
	Decisions map[string]int `json:"decisions"`
	First     time.Time      `json:"first"`
	Last      time.Time      `json:"last"`
}

// Comment is a survey comment or a reason given for leaving.
type Comment struct {
	At      time.Time `json:"at"`
	Kind    string    `json:"kind"` // nps or optout
	Score   int       `json:"score,omitempty"`
	Theme   string    `json:"theme"`
	Text    string    `json:"text"`
	Variant string    `json:"variant,omitempty"`
}

// Purpose is the opt-out rate of the messages sent for a consent purpose.
type Purpose struct {
	Purpose    string `json:"purpose"`
	Sent       int    `json:"sent"`
	OptOuts    int    `json:"optouts"`
	OptOutRate Rate   `json:"optout_rate"`
}

// Segment compares one locale or time zone of a campaign with the rest of
// the campaign on one rate.
type Segment struct {
	Campaign  string  `json:"campaign"`
	Dimension string  `json:"dimension"` // locale or timezone
	Value     string  `json:"value"`
	Metric    string  `json:"metric"` // send-rate, suppression-rate, optout-rate
	Count     int     `json:"count"`
	Of        int     `json:"of"`
	Rate      float64 `json:"rate"`
	RestCount int     `json:"rest_count"`
	RestOf    int     `json:"rest_of"`
	RestRate  float64 `json:"rest_rate"`
	Z         float64 `json:"z"`
	Flagged   bool    `json:"flagged"`
}

// Day is one calendar day of the period in the business's time zone.
type Day struct {
	Date       string `json:"date"` // YYYY-MM-DD
	Sent       int    `json:"sent"`
	Suppressed int    `json:"suppressed"`
	Held       int    `json:"held"`
	Control    int    `json:"control"`
	Other      int    `json:"other"` // expired and failed
	// OptOuts are opt-outs drawn by the messages sent that day.
	OptOuts int       `json:"optouts"`
	NPS     NPSFigure `json:"nps"` // answers given that day
	// SignupsStarted and SignupsConfirmed count the sign-up forms sent
	// and the confirmations pressed that day.
	SignupsStarted   int `json:"signups_started"`
	SignupsConfirmed int `json:"signups_confirmed"`
}
