package metrics

// Channels a patron signs in through, the values of the channel label.
const (
	ChannelWeb  = "web"
	ChannelSIP2 = "sip2"
)

// SignInFailed counts a sign-in refused for a wrong barcode or PIN on
// channel ("web" or "sip2").
func (m *Metrics) SignInFailed(channel string) {
	if m == nil {
		return
	}
	m.signInFailures.WithLabelValues(channel).Inc()
}

// Locked counts a sign-in refused because sign-in is paused (throttled)
// for the barcode or the client address, on channel ("web" or "sip2").
func (m *Metrics) Locked(channel string) {
	if m == nil {
		return
	}
	m.signInLockouts.WithLabelValues(channel).Inc()
}
