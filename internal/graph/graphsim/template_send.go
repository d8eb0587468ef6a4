package graphsim

import (
	"encoding/json"
	"fmt"
	"regexp"
	"sort"
	"strings"
)

// Meta's codes for template sends whose parameters do not fit.
const (
	CodeTemplateParamCount  = 132000
	CodeTemplateParamFormat = 132012
)

// templateVariable matches {{1}} and {{name}} in a component's text.
var templateVariable = regexp.MustCompile(`\{\{\s*([A-Za-z0-9_]+)\s*\}\}`)

// templateSendBody is what a template send carries beyond name and language.
type templateSendBody struct {
	Components []struct {
		Type       string `json:"type"`
		Parameters []struct {
			Type          string `json:"type"`
			ParameterName string `json:"parameter_name"`
			Text          string `json:"text"`
		} `json:"parameters"`
	} `json:"components"`
}

// checkTemplateParams holds a template send's body parameters to the
// template's body variables, as Meta does: the same number (132000) and,
// for a NAMED template, the same names (132012). A template seeded without
// components is not checked.
func checkTemplateParams(t *Template, raw json.RawMessage) *metaError {
	want, known := bodyVariables(t.Components)
	if !known {
		return nil
	}
	var send templateSendBody
	_ = json.Unmarshal(raw, &send)
	var names []string
	count := 0
	for _, c := range send.Components {
		if !strings.EqualFold(c.Type, "body") {
			continue
		}
		for _, p := range c.Parameters {
			count++
			names = append(names, p.ParameterName)
		}
	}
	if count != len(want) {
		return &metaError{Code: CodeTemplateParamCount, Type: typeOAuth,
			Message: "(#132000) Number of parameters does not match the expected number of params",
			Details: fmt.Sprintf("body: number of localizable_params (%d) does not match the expected number of params (%d)", count, len(want))}
	}
	if t.ParameterFormat != parameterNamed {
		return nil
	}
	sort.Strings(names)
	sorted := append([]string(nil), want...)
	sort.Strings(sorted)
	for i := range names {
		if names[i] != sorted[i] {
			return &metaError{Code: CodeTemplateParamFormat, Type: typeOAuth,
				Message: "(#132012) Parameter format does not match format in the created template",
				Details: fmt.Sprintf("body: expected parameter names %v, got %v", sorted, names)}
		}
	}
	return nil
}

// bodyVariables lists the variables of the BODY component; false when the
// template has no components to read.
func bodyVariables(components json.RawMessage) ([]string, bool) {
	var list []struct {
		Type string `json:"type"`
		Text string `json:"text"`
	}
	if len(components) == 0 || json.Unmarshal(components, &list) != nil {
		return nil, false
	}
	for _, c := range list {
		if strings.EqualFold(c.Type, "body") {
			var vars []string
			for _, m := range templateVariable.FindAllStringSubmatch(c.Text, -1) {
				vars = append(vars, m[1])
			}
			return vars, true
		}
	}
	return nil, true
}
