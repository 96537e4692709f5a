// Package sip2 is Carrel's SIP2 server: the 3M Standard Interchange
// Protocol, version 2.00, that self-check kiosks, security gates,
// PC-booking systems and e-resource proxies (EZproxy) speak to a library.
//
// Every request goes to the same library.Service as the web, so a kiosk and
// My Account always give the same answer for the same patron and item.
// A connection is served by one goroutine with a buffered reader and
// writer; the codec works on the connection's own buffers and allocates
// nothing per message.
package sip2
