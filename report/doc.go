// Package report computes the owner's view of courtesy over a period: per
// campaign and variant, what was decided and why, what the recipients did
// about it (opt-outs, complaints, survey answers, purchases) against the
// campaign's control group, with honest intervals and a "small sample"
// label where the numbers cannot carry a conclusion yet; per purpose, the
// opt-out rate; churn; the reasons people gave for leaving; a segment
// audit; and the guardrail state. It renders the result as a table for
// people, JSON for tools and a self-contained HTML page with SVG charts.
//
// # Methods
//
// Every figure is attributed through the message. Decisions count in the
// period they were taken; opt-outs, complaints, bounce reports and survey
// answers count in the period they were given, whenever the message they
// point back to went (an answer to a survey sent 31 days ago is in the
// 30-day report); purchases count after messages decided in the period.
//
//   - Opt-out rate: messages that drew at least one opt-out in the period,
//     divided by messages sent in the period, with a Wilson score interval.
//   - Complaints: sent messages with a complaint report (RFC 5965 or a
//     provider webhook) or a complaint opt-out.
//   - NPS: promoters (9–10) minus detractors (0–6), in points.
//   - Purchases after the message: the share of sent messages whose
//     customer bought within the attribution window after the decision
//     (cut at the end of the period), against the same share for the
//     control group; the difference has a 95% interval by Newcombe's hybrid
//     score method built from Wilson intervals. Revenue per message is
//     compared with Welch's normal interval.
//   - Churn: the customers of each group who, by the end of the period,
//     had withdrawn every purpose (having withdrawn at least one in the
//     period) or made no purchase after their message.
//   - Segment audit: for each locale and time zone, the send, suppression
//     and opt-out rates against the rest of the campaign's messages, by a
//     pooled two-proportion z-test; a segment is flagged when |z| > 3 and
//     both sides have at least 30 messages.
//
// Groups under 30, and rates over fewer than min_sample sends, are labelled
// "small sample" instead of being given confident-looking numbers.
package report
