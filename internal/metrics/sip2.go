package metrics

import "time"

// ObserveSIP2 records one SIP2 transaction: its two-character request
// message code (such as "63", patron information) and the time it took
// to answer. Any other code is counted as "other", so a client sending
// junk cannot grow the label set.
func (m *Metrics) ObserveSIP2(message string, d time.Duration) {
	if m == nil {
		return
	}
	if !isMessageCode(message) {
		message = "other"
	}
	m.sip2Transactions.WithLabelValues(message).Inc()
	m.sip2Duration.WithLabelValues(message).Observe(d.Seconds())
}

// isMessageCode reports whether s looks like a SIP2 message code: two digits.
func isMessageCode(s string) bool {
	return len(s) == 2 && s[0] >= '0' && s[0] <= '9' && s[1] >= '0' && s[1] <= '9'
}
