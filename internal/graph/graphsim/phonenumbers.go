package graphsim

// phoneJSON renders a phone number as Meta does.
func phoneJSON(p PhoneNumber) map[string]any {
	return map[string]any{
		"id":                       p.ID,
		"display_phone_number":     p.DisplayPhoneNumber,
		"verified_name":            p.VerifiedName,
		"code_verification_status": p.CodeVerificationStatus,
		"quality_rating":           p.QualityRating,
		"status":                   p.Status,
		"messaging_limit_tier":     p.MessagingLimitTier,
		"platform_type":            p.PlatformType,
		"name_status":              p.NameStatus,
		"account_mode":             p.AccountMode,
		"throughput":               map[string]string{"level": p.ThroughputLevel},
	}
}

// handleListPhones serves GET /{waba-id}/phone_numbers.
func (s *Server) handleListPhones(req *request) (any, *metaError) {
	w := s.wabas[req.route.waba]
	items := make([]any, 0, len(w.phones))
	for _, id := range w.phones {
		items = append(items, phoneJSON(s.phones[id].PhoneNumber))
	}
	return pageLocked(req.r, items)
}

// handleGetPhone serves GET /{phone-number-id}.
func (s *Server) handleGetPhone(req *request) (any, *metaError) {
	return phoneJSON(s.phones[req.route.object].PhoneNumber), nil
}
