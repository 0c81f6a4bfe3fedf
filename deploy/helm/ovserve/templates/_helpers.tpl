{{/* Names and labels shared by every object. */}}
{{- define "ovserve.fullname" -}}
{{- if contains .Chart.Name .Release.Name -}}
{{- .Release.Name | trunc 63 | trimSuffix "-" -}}
{{- else -}}
{{- printf "%s-%s" .Release.Name .Chart.Name | trunc 63 | trimSuffix "-" -}}
{{- end -}}
{{- end -}}

{{- define "ovserve.selectorLabels" -}}
app.kubernetes.io/name: {{ .Chart.Name }}
app.kubernetes.io/instance: {{ .Release.Name }}
{{- end -}}

{{- define "ovserve.labels" -}}
{{ include "ovserve.selectorLabels" . }}
app.kubernetes.io/version: {{ .Chart.AppVersion | quote }}
app.kubernetes.io/managed-by: {{ .Release.Service }}
helm.sh/chart: {{ printf "%s-%s" .Chart.Name .Chart.Version }}
{{- with .Values.extraLabels }}
{{ toYaml . }}
{{- end }}
{{- end -}}

{{- define "ovserve.eppName" -}}
{{- printf "%s-epp" (include "ovserve.fullname" .) | trunc 63 | trimSuffix "-" -}}
{{- end -}}

{{- define "ovserve.eppSelectorLabels" -}}
app.kubernetes.io/name: {{ .Chart.Name }}-epp
app.kubernetes.io/instance: {{ .Release.Name }}
{{- end -}}

{{/* The claim the model comes from. */}}
{{- define "ovserve.modelClaim" -}}
{{- if .Values.model.pvc.claimName -}}
{{- .Values.model.pvc.claimName -}}
{{- else -}}
{{- printf "%s-models" (include "ovserve.fullname" .) -}}
{{- end -}}
{{- end -}}

{{/* SIGTERM comes after the preStop sleep; the drain then gets shutdownGraceSeconds, plus a margin to close. */}}
{{- define "ovserve.terminationGracePeriodSeconds" -}}
{{- add .Values.server.preStopSleepSeconds .Values.server.shutdownGraceSeconds 10 -}}
{{- end -}}
