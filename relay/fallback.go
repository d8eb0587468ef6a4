package relay

import (
	"fmt"
	"regexp"
	"sort"
	"strings"

	whatsappv1alpha1 "github.com/kubechat/whatsapp-operator/api/v1alpha1"
)

// The fallback outside the 24-hour window: the approved template
// new_bot_message in the provider's spec.templateLanguage, with one body
// variable, named bot_message or positional {{1}} (as Open Chat Studio
// documents it), sent once per part of at most FallbackPartRunes.
const (
	FallbackTemplateName = "new_bot_message"
	FallbackVariable     = "bot_message"
	FallbackPartRunes    = 974
	defaultLanguage      = "en"
	templateApproved     = "APPROVED"
)

// fallbackTemplate is the template a fallback sends.
type fallbackTemplate struct {
	Name     string
	Language string
	// Named: the variable is {{bot_message}} (parameter_name is sent);
	// otherwise {{1}}.
	Named bool
}

var bodyVariable = regexp.MustCompile(`\{\{\s*([A-Za-z0-9_]+)\s*\}\}`)

// FallbackTemplateProblem says in plain words why the relay of provider
// cannot fall back to new_bot_message outside the 24-hour window, given
// the MessageTemplates of its namespace; "" when it can. The operator shows
// the same text on the MetaProvider.
func FallbackTemplateProblem(provider *whatsappv1alpha1.MetaProvider, templates []whatsappv1alpha1.MessageTemplate) string {
	_, problem := findFallback(provider, templates)
	return problem
}

// findFallback picks the fallback template of provider, or says what is
// missing.
func findFallback(provider *whatsappv1alpha1.MetaProvider, templates []whatsappv1alpha1.MessageTemplate) (fallbackTemplate, string) {
	lang := provider.Spec.TemplateLanguage
	if lang == "" {
		lang = defaultLanguage
	}
	subject := fmt.Sprintf("MessageTemplate %q in language %q (spec.templateLanguage of MetaProvider %s)", FallbackTemplateName, lang, provider.Name)
	consequence := "replies outside the 24-hour window fail with 131047"
	var otherLanguages []string
	var inLanguage []*whatsappv1alpha1.MessageTemplate
	for i := range templates {
		t := &templates[i]
		if t.Spec.ProviderRef.Name != provider.Name || effectiveName(t) != FallbackTemplateName {
			continue
		}
		if t.Spec.Language == lang {
			inLanguage = append(inLanguage, t)
		} else {
			otherLanguages = append(otherLanguages, t.Spec.Language)
		}
	}
	if len(inLanguage) == 0 {
		if len(otherLanguages) > 0 {
			sort.Strings(otherLanguages)
			return fallbackTemplate{}, fmt.Sprintf("%s does not exist (only in %s): %s; create it in %q or change spec.templateLanguage",
				subject, strings.Join(otherLanguages, ", "), consequence, lang)
		}
		return fallbackTemplate{}, fmt.Sprintf("%s does not exist: %s; create it with one body variable, {{%s}} (parameterFormat NAMED) or {{1}}",
			subject, consequence, FallbackVariable)
	}
	var statuses []string
	for _, t := range inLanguage {
		if t.Status.ApprovalStatus != templateApproved {
			status := t.Status.ApprovalStatus
			if status == "" {
				status = "not submitted yet"
			}
			statuses = append(statuses, status)
			continue
		}
		named := parameterFormat(t) == whatsappv1alpha1.ParameterFormatNamed
		vars := variables(t.Spec.Body.Text)
		want := "1"
		if named {
			want = FallbackVariable
		}
		if len(vars) != 1 || vars[0] != want {
			return fallbackTemplate{}, fmt.Sprintf("%s must have exactly one body variable, {{%s}} (parameterFormat NAMED) or {{1}} (POSITIONAL); it has %s: %s",
				subject, FallbackVariable, describeVariables(vars), consequence)
		}
		return fallbackTemplate{Name: FallbackTemplateName, Language: lang, Named: named}, ""
	}
	return fallbackTemplate{}, fmt.Sprintf("%s is not APPROVED at Meta (%s): %s until Meta approves it", subject, strings.Join(statuses, ", "), consequence)
}

// effectiveName is the template's name at Meta.
func effectiveName(t *whatsappv1alpha1.MessageTemplate) string {
	if t.Status.Name != "" {
		return t.Status.Name
	}
	return t.TemplateName()
}

// parameterFormat is Meta's, else the spec's, else POSITIONAL.
func parameterFormat(t *whatsappv1alpha1.MessageTemplate) string {
	switch {
	case t.Status.ParameterFormat != "":
		return t.Status.ParameterFormat
	case t.Spec.ParameterFormat != "":
		return t.Spec.ParameterFormat
	}
	return whatsappv1alpha1.ParameterFormatPositional
}

func variables(text string) []string {
	var out []string
	for _, m := range bodyVariable.FindAllStringSubmatch(text, -1) {
		out = append(out, m[1])
	}
	return out
}

func describeVariables(vars []string) string {
	if len(vars) == 0 {
		return "none"
	}
	out := make([]string, len(vars))
	for i, v := range vars {
		out[i] = "{{" + v + "}}"
	}
	return strings.Join(out, ", ")
}
