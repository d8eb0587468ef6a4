{{/* The release's full name: every object of the release is named from it. */}}
{{- define "whatsapp-operator.fullname" -}}
{{- if contains .Chart.Name .Release.Name -}}
{{- .Release.Name | trunc 63 | trimSuffix "-" -}}
{{- else -}}
{{- printf "%s-%s" .Release.Name .Chart.Name | trunc 63 | trimSuffix "-" -}}
{{- end -}}
{{- end -}}

{{- define "whatsapp-operator.selectorLabels" -}}
app.kubernetes.io/name: {{ .Chart.Name }}
app.kubernetes.io/instance: {{ .Release.Name }}
control-plane: controller-manager
{{- end -}}

{{- define "whatsapp-operator.labels" -}}
{{ include "whatsapp-operator.selectorLabels" . }}
app.kubernetes.io/version: {{ .Chart.AppVersion | quote }}
app.kubernetes.io/managed-by: {{ .Release.Service }}
helm.sh/chart: {{ printf "%s-%s" .Chart.Name .Chart.Version | replace "+" "_" }}
{{- end -}}

{{- define "whatsapp-operator.serviceAccountName" -}}
{{- if .Values.serviceAccount.create -}}
{{- .Values.serviceAccount.name | default (include "whatsapp-operator.fullname" .) -}}
{{- else -}}
{{- required "serviceAccount.name is required when serviceAccount.create is false" .Values.serviceAccount.name -}}
{{- end -}}
{{- end -}}

{{/*
An image reference from {repository, tag, digest}: a digest wins over a tag,
and the tag defaults to the chart's appVersion. Call with (list $image $root).
*/}}
{{- define "whatsapp-operator.imageRef" -}}
{{- $img := index . 0 -}}
{{- $root := index . 1 -}}
{{- if $img.digest -}}
{{- printf "%s@%s" $img.repository $img.digest -}}
{{- else -}}
{{- printf "%s:%s" $img.repository ($img.tag | default $root.Chart.AppVersion) -}}
{{- end -}}
{{- end -}}

{{- define "whatsapp-operator.image" -}}
{{- include "whatsapp-operator.imageRef" (list .Values.image .) -}}
{{- end -}}

{{/* The image of a managed workload (webhook server, relay): the operator's own unless set. */}}
{{- define "whatsapp-operator.managedImage" -}}
{{- $img := index . 0 -}}
{{- $root := index . 1 -}}
{{- if $img.repository -}}
{{- include "whatsapp-operator.imageRef" (list $img $root) -}}
{{- else -}}
{{- include "whatsapp-operator.image" $root -}}
{{- end -}}
{{- end -}}

{{/* The manager's rules, read from the copy of config/rbac/role.yaml (make manifests). */}}
{{- define "whatsapp-operator.managerRules" -}}
{{- (.Files.Get "files/rbac/manager-role.yaml" | fromYaml).rules | toYaml -}}
{{- end -}}
