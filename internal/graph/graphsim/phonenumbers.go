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

// handleRegister serves POST /{phone-number-id}/register.
func (s *Server) handleRegister(req *request) (any, *metaError) {
	var body struct {
		MessagingProduct string `json:"messaging_product"`
		PIN              string `json:"pin"`
	}
	if err := decodeBody(req, &body); err != nil {
		return nil, err
	}
	if body.MessagingProduct != messagingProduct {
		return nil, errParamRequired("messaging_product")
	}
	if len(body.PIN) != 6 || digits(body.PIN) != body.PIN {
		return nil, errInvalidParam("Param pin must be 6 characters long.", "", "")
	}
	p := s.phones[req.route.object]
	p.pin = body.PIN
	p.PlatformType = platformCloudAPI
	p.Status = statusConnected
	return success(), nil
}
