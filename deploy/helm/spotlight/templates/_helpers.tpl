{{- define "spotlight.fullname" -}}
{{- if contains .Chart.Name .Release.Name -}}
{{- .Release.Name | trunc 63 | trimSuffix "-" -}}
{{- else -}}
{{- printf "%s-%s" .Release.Name .Chart.Name | trunc 63 | trimSuffix "-" -}}
{{- end -}}
{{- end -}}

{{- define "spotlight.labels" -}}
app.kubernetes.io/name: {{ .Chart.Name }}
app.kubernetes.io/instance: {{ .Release.Name }}
app.kubernetes.io/version: {{ .Chart.AppVersion | quote }}
app.kubernetes.io/managed-by: {{ .Release.Service }}
helm.sh/chart: {{ printf "%s-%s" .Chart.Name .Chart.Version }}
{{- end -}}

{{- define "spotlight.selectorLabels" -}}
app.kubernetes.io/name: {{ .Chart.Name }}
app.kubernetes.io/instance: {{ .Release.Name }}
{{- end -}}

{{- define "spotlight.serviceAccountName" -}}
{{- if .Values.serviceAccount.create -}}
{{- .Values.serviceAccount.name | default (include "spotlight.fullname" .) -}}
{{- else -}}
{{- .Values.serviceAccount.name | default "default" -}}
{{- end -}}
{{- end -}}

{{- define "spotlight.image" -}}
{{- printf "%s:%s" .Values.image.repository (.Values.image.tag | default .Chart.AppVersion) -}}
{{- end -}}

{{/*
A secret key as an env var. Keys an enabled feature needs are required (a missing one stops the
pod with CreateContainerConfigError naming it); the others, when absent, leave the variable unset.
*/}}
{{- define "spotlight.secretEnv" -}}
- name: {{ .name | default .key }}
  valueFrom:
    secretKeyRef:
      name: {{ .secret }}
      key: {{ .key }}
      optional: {{ not .required }}
{{- end -}}

{{/* The HTTP paths the platforms (and the playground) serve, for the Ingress. */}}
{{- define "spotlight.ingressPaths" -}}
{{- $paths := list -}}
{{- if .Values.ingress.paths -}}
{{- $paths = .Values.ingress.paths -}}
{{- else -}}
{{- if and .Values.platforms.slack.enabled (eq .Values.platforms.slack.mode "http") -}}
{{- $paths = append $paths (dict "path" "/slack/events" "pathType" "Exact") -}}
{{- end -}}
{{- if and .Values.platforms.discord.enabled (eq .Values.platforms.discord.mode "http") -}}
{{- $paths = append $paths (dict "path" "/discord/interactions" "pathType" "Exact") -}}
{{- end -}}
{{- if .Values.playground.enabled -}}
{{- $paths = append $paths (dict "path" "/" "pathType" "Prefix") -}}
{{- end -}}
{{- end -}}
{{- toJson $paths -}}
{{- end -}}

{{/*
Combinations that would deploy a pod that cannot work: fail the render with what to change,
rather than leave a pod restarting or answering twice.
*/}}
{{- define "spotlight.validate" -}}
{{- $v := .Values -}}
{{- $replicas := int $v.replicas -}}
{{- if not (or $v.platforms.slack.enabled $v.platforms.discord.enabled $v.playground.enabled) -}}
{{- fail "\n\nNothing to serve: enable a platform (platforms.slack.enabled=true or platforms.discord.enabled=true, with its tokens in existingSecret) or the playground (playground.enabled=true, with PLAYGROUND_TOKEN in existingSecret). Without one the pod would exit and restart over and over." -}}
{{- end -}}
{{- if and $v.platforms.discord.enabled (eq $v.platforms.discord.mode "gateway") (gt $replicas 1) -}}
{{- fail (printf "\n\nplatforms.discord.mode=gateway with replicas=%d: a Discord bot holds one gateway connection, and every replica would answer every message. Use replicas=1, or platforms.discord.mode=http (the interactions endpoint) to scale out." $replicas) -}}
{{- end -}}
{{- if and $v.platforms.slack.enabled (eq $v.platforms.slack.mode "socket") (gt $replicas 1) (not $v.redis.enabled) -}}
{{- fail (printf "\n\nplatforms.slack.mode=socket with replicas=%d needs redis.enabled=true: Slack delivers each event to one of the app's connections, and Redis de-duplicates its retries across replicas. Use replicas=1 or enable Redis." $replicas) -}}
{{- end -}}
{{- if and $v.readiness.requiresModel (not $v.llm.enabled) -}}
{{- fail "\n\nreadiness.requiresModel=true needs llm.enabled=true (and llm.baseURL): there is no model to require." -}}
{{- end -}}
{{- if and (or $v.platforms.slack.enabled $v.platforms.discord.enabled) (not $v.existingSecret) -}}
{{- fail "\n\nThe enabled platforms need their tokens: set existingSecret to the Secret holding them." -}}
{{- end -}}
{{- if and $v.playground.enabled (not $v.existingSecret) -}}
{{- fail "\n\nplayground.enabled=true needs existingSecret with PLAYGROUND_TOKEN, so only people with the token can use it." -}}
{{- end -}}
{{- if and $v.ingress.enabled (eq (include "spotlight.ingressPaths" .) "[]") -}}
{{- fail "\n\ningress.enabled=true, but nothing serves HTTP to route: Socket Mode and the Discord gateway connect out. Enable an HTTP mode or the playground, or list ingress.paths." -}}
{{- end -}}
{{- if and $v.redis.enabled (not $v.redis.url) (not $v.existingSecret) -}}
{{- fail "\n\nredis.enabled=true needs redis.url, or existingSecret with the key redis.existingSecretKey." -}}
{{- end -}}
{{- end -}}
