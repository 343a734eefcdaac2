"""Where results are kept between scans, so a scheduled scan knows what changed."""
