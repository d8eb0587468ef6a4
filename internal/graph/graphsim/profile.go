package graphsim

import (
	"encoding/json"
	"fmt"
	"slices"
	"strings"
)

// Profile limits Meta enforces.
const (
	maxAbout       = 139
	maxAddress     = 256
	maxDescription = 512
	maxEmail       = 128
	maxWebsites    = 2
	maxWebsiteLen  = 256
)

// verticals are the business profile categories Meta accepts on update.
var verticals = []string{
	"OTHER", "AUTO", "BEAUTY", "APPAREL", "EDU", "ENTERTAIN", "EVENT_PLAN", "FINANCE", "GROCERY",
	"GOVT", "HOTEL", "HEALTH", "NONPROFIT", "PROF_SERVICES", "RETAIL", "TRAVEL", "RESTAURANT",
	"ALCOHOL", "ONLINE_GAMBLING", "PHYSICAL_GAMBLING", "OTC_DRUGS", "UNDEFINED", "NOT_A_BIZ",
}

// handleGetProfile serves GET /{phone-number-id}/whatsapp_business_profile.
func (s *Server) handleGetProfile(req *request) (any, *metaError) {
	p := s.phones[req.route.object].profile
	item := map[string]any{"messaging_product": messagingProduct}
	for k, v := range map[string]string{
		"about": p.About, "address": p.Address, "description": p.Description,
		"email": p.Email, "vertical": p.Vertical, "profile_picture_url": p.ProfilePictureURL,
	} {
		if v != "" {
			item[k] = v
		}
	}
	if len(p.Websites) > 0 {
		item["websites"] = p.Websites
	}
	return map[string]any{"data": []any{item}}, nil
}

// handleUpdateProfile serves POST /{phone-number-id}/whatsapp_business_profile:
// fields present in the body replace the stored ones.
func (s *Server) handleUpdateProfile(req *request) (any, *metaError) {
	var body map[string]json.RawMessage
	if err := decodeBody(req, &body); err != nil {
		return nil, err
	}
	var product string
	_ = json.Unmarshal(body["messaging_product"], &product)
	if product != messagingProduct {
		return nil, errParamRequired("messaging_product")
	}
	p := s.phones[req.route.object].profile
	str := func(key string, dst *string, maxLen int, allowEmpty bool) *metaError {
		raw, ok := body[key]
		if !ok {
			return nil
		}
		var v string
		if err := json.Unmarshal(raw, &v); err != nil || len(v) > maxLen || (!allowEmpty && v == "") {
			return errInvalidParam(fmt.Sprintf("Param %s is invalid", key), "", "")
		}
		*dst = v
		return nil
	}
	for _, f := range []func() *metaError{
		func() *metaError { return str("about", &p.About, maxAbout, false) },
		func() *metaError { return str("address", &p.Address, maxAddress, true) },
		func() *metaError { return str("description", &p.Description, maxDescription, true) },
		func() *metaError { return str("email", &p.Email, maxEmail, true) },
		func() *metaError { return str("vertical", &p.Vertical, maxAddress, false) },
	} {
		if err := f(); err != nil {
			return nil, err
		}
	}
	if p.Vertical != "" && !slices.Contains(verticals, p.Vertical) {
		return nil, errInvalidParam("Param vertical is invalid", "", "")
	}
	if raw, ok := body["websites"]; ok {
		var sites []string
		if err := json.Unmarshal(raw, &sites); err != nil || len(sites) > maxWebsites {
			return nil, errInvalidParam("Param websites is invalid", "", "")
		}
		for _, site := range sites {
			if len(site) > maxWebsiteLen || !(strings.HasPrefix(site, "http://") || strings.HasPrefix(site, "https://")) {
				return nil, errInvalidParam("Param websites is invalid", "", "")
			}
		}
		p.Websites = sites
	}
	s.phones[req.route.object].profile = p
	return success(), nil
}
