package i18n

// traditionalChinesePINLimits is the Traditional Chinese (Hong Kong)
// catalogue of the limits on checking a PIN from a signed-in session:
// Change Password's wrong old PINs, which count like failed sign-ins.
var traditionalChinesePINLimits = map[string]string{
	"password.signed_out.title": "密碼錯誤次數過多，已登出",
	"password.signed_out.body":  "你輸入錯誤的現有密碼次數過多，因此已被登出，你的讀者條碼亦已暫停登入。你可在 {time} 後再次登入。圖書館職員可即時為你解除暫停：請致電 {phone} 或電郵至 {email} 聯絡圖書館職員。",
	"password.paused":           "此條碼或此裝置輸入錯誤密碼的次數過多，核對密碼已暫停至 {time}。請在該時間後再試；圖書館職員可即時為你解除暫停，請致電 {phone} 或電郵至 {email} 聯絡他們。",
}
