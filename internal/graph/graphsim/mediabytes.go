package graphsim

// mediaBytesBudget bounds the bytes of media the simulator keeps to show
// them again (the demo's chat page): past it, the oldest are forgotten.
const mediaBytesBudget = 64 << 20

// mediaStore keeps the bytes of uploaded media, oldest first, within
// mediaBytesBudget. Its zero value is ready.
type mediaStore struct {
	order []string
	data  map[string][]byte
	size  int
}

// keep stores data under id, forgetting the oldest past the budget; data
// larger than the whole budget is not kept.
func (m *mediaStore) keep(id string, data []byte) {
	if len(data) > mediaBytesBudget {
		return
	}
	if m.data == nil {
		m.data = map[string][]byte{}
	}
	m.data[id] = data
	m.order = append(m.order, id)
	m.size += len(data)
	for m.size > mediaBytesBudget && len(m.order) > 0 {
		oldest := m.order[0]
		m.order = m.order[1:]
		m.size -= len(m.data[oldest])
		delete(m.data, oldest)
	}
}

// MediaBytes returns the bytes and MIME type of uploaded media, while the
// simulator still keeps them.
func (s *Server) MediaBytes(id string) ([]byte, string, bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	data, ok := s.mediaBytes.data[id]
	if !ok {
		return nil, "", false
	}
	return data, s.media[id].MIMEType, true
}
