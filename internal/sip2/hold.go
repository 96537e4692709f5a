package sip2

// hold answers 15 Hold with 16, refused: Carrel has no holds yet (they come
// with the staff desk), so no hold is placed, changed or cancelled, and
// the 98 status says Hold is not supported.
func (c *conn) hold() {
	m := &c.req
	c.out.start("16")
	c.out.ok(false)
	c.out.yn(false)
	c.out.date(c.srv.svc.Now())
	c.out.field("AO", c.institution())
	aa, _ := m.Field("AA")
	c.out.fieldBytes("AA", aa)
	if ab, ok := m.Field("AB"); ok {
		c.out.fieldBytes("AB", ab)
	}
	c.out.field("AF", c.t("sip2.holds_unavailable"))
	c.finish()
}
