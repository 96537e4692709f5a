package i18n

// englishPINLimits is the English catalogue of the limits on checking a
// PIN from a signed-in session: Change Password's wrong old PINs, which
// count like failed sign-ins.
var englishPINLimits = map[string]string{
	"password.signed_out.title": "Signed out: too many wrong PINs",
	"password.signed_out.body":  "You typed a wrong current password too many times, so you have been signed out and sign-in with your card is paused. You can sign in again after {time}. Library staff can unlock your account now: contact them on {phone} or at {email}.",
	"password.paused":           "Checking your password is paused until {time}: too many wrong PINs were typed for your card or from this device. Try again after that, or contact library staff on {phone} or at {email}, who can unlock it now.",
}
