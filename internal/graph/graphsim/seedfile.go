package graphsim

import "fmt"

// SeedFile describes a simulator's initial state, for cmd/graphsim's
// --config file (JSON or YAML).
type SeedFile struct {
	Apps   []App      `json:"apps,omitempty"`
	WABAs  []SeedWABA `json:"wabas,omitempty"`
	Tokens []Token    `json:"tokens,omitempty"`
}

// SeedWABA is a WABA with its phone numbers and existing templates.
type SeedWABA struct {
	WABA
	PhoneNumbers []PhoneNumber `json:"phoneNumbers,omitempty"`
	Templates    []Template    `json:"templates,omitempty"`
}

// Apply adds everything in f to the simulator.
func (s *Server) Apply(f SeedFile) error {
	for _, a := range f.Apps {
		s.AddApp(a)
	}
	for _, w := range f.WABAs {
		waba := s.AddWABA(w.WABA)
		for _, p := range w.PhoneNumbers {
			if _, err := s.AddPhoneNumber(waba.ID, p); err != nil {
				return fmt.Errorf("graphsim: seeding phone number %s: %w", p.ID, err)
			}
		}
		for _, t := range w.Templates {
			if _, err := s.AddTemplate(waba.ID, t); err != nil {
				return fmt.Errorf("graphsim: seeding template %s: %w", t.Name, err)
			}
		}
	}
	for _, t := range f.Tokens {
		s.AddToken(t)
	}
	return nil
}
