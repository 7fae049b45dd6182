package mailer

// RenderWithBoundary renders with a fixed MIME boundary, for golden files.
func RenderWithBoundary(m *Message, d *DKIM, boundary string) ([]byte, error) {
	r, err := NewRenderer(d)
	if err != nil {
		return nil, err
	}
	r.boundary = boundary
	return r.Render(m)
}
