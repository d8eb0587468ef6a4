package graphsim

// handleGetWABA serves GET /{waba-id}.
func (s *Server) handleGetWABA(req *request) (any, *metaError) {
	w := s.wabas[req.route.waba]
	return map[string]any{"id": w.ID, "name": w.Name}, nil
}
