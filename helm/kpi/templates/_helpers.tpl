{{/* Chart name, truncated to the DNS label limit. */}}
{{- define "kpi.name" -}}
{{- default .Chart.Name .Values.nameOverride | trunc 63 | trimSuffix "-" }}
{{- end }}

{{/* Fully qualified app name; leaves room for "-worker-<pool>" suffixes. */}}
{{- define "kpi.fullname" -}}
{{- if .Values.fullnameOverride }}
{{- .Values.fullnameOverride | trunc 40 | trimSuffix "-" }}
{{- else }}
{{- $name := default .Chart.Name .Values.nameOverride }}
{{- if contains $name .Release.Name }}
{{- .Release.Name | trunc 40 | trimSuffix "-" }}
{{- else }}
{{- printf "%s-%s" .Release.Name $name | trunc 40 | trimSuffix "-" }}
{{- end }}
{{- end }}
{{- end }}

{{- define "kpi.chart" -}}
{{- printf "%s-%s" .Chart.Name .Chart.Version | replace "+" "_" | trunc 63 | trimSuffix "-" }}
{{- end }}

{{/* Selector labels shared by every component; add app.kubernetes.io/component per object. */}}
{{- define "kpi.selectorLabels" -}}
app.kubernetes.io/name: {{ include "kpi.name" . }}
app.kubernetes.io/instance: {{ .Release.Name }}
{{- end }}

{{- define "kpi.labels" -}}
helm.sh/chart: {{ include "kpi.chart" . }}
{{ include "kpi.selectorLabels" . }}
app.kubernetes.io/version: {{ .Chart.AppVersion | quote }}
app.kubernetes.io/managed-by: {{ .Release.Service }}
app.kubernetes.io/part-of: kpi-congvu
{{- end }}

{{- define "kpi.serviceAccountName" -}}
{{- if .Values.serviceAccount.create }}
{{- default (include "kpi.fullname" .) .Values.serviceAccount.name }}
{{- else }}
{{- default "default" .Values.serviceAccount.name }}
{{- end }}
{{- end }}

{{- define "kpi.image" -}}
{{- if .Values.image.digest -}}
{{ .Values.image.repository }}@{{ .Values.image.digest }}
{{- else -}}
{{ .Values.image.repository }}:{{ .Values.image.tag | default .Chart.AppVersion }}
{{- end }}
{{- end }}

{{/* Name of the Secret holding the app's secrets (chart-created or existing). */}}
{{- define "kpi.secretName" -}}
{{- if .Values.secrets.existingSecret }}
{{- .Values.secrets.existingSecret }}
{{- else }}
{{- include "kpi.fullname" . }}
{{- end }}
{{- end }}

{{/* Name of the Secret the migration Job reads (holds the OWNER database URL). */}}
{{- define "kpi.migrationSecretName" -}}
{{- if .Values.secrets.existingSecret }}
{{- .Values.secrets.existingSecret }}
{{- else }}
{{- printf "%s-migrate" (include "kpi.fullname" .) }}
{{- end }}
{{- end }}

{{/* Name of the Secret the backup CronJob reads (holds the backup role's database URL). */}}
{{- define "kpi.backupSecretName" -}}
{{- if .Values.secrets.existingSecret }}
{{- .Values.secrets.existingSecret }}
{{- else }}
{{- printf "%s-backup" (include "kpi.fullname" .) }}
{{- end }}
{{- end }}

{{/* Fail early, with a readable message, when a required value is missing. */}}
{{- define "kpi.validate" -}}
{{- if not .Values.secrets.existingSecret }}
{{- $_ := required "secrets.secretKey is required (or set secrets.existingSecret)" .Values.secrets.secretKey }}
{{- if lt (len .Values.secrets.secretKey) 32 }}
{{- fail "secrets.secretKey must be at least 32 characters" }}
{{- end }}
{{- $_ := required "database.url (the app role's URL) is required (or set secrets.existingSecret)" .Values.database.url }}
{{- $_ := required "redis.url is required (or set secrets.existingSecret)" .Values.redis.url }}
{{- if and .Values.migrations.enabled (not .Values.database.ownerUrl) }}
{{- fail "database.ownerUrl (the table owner's URL, used only by migrations) is required (or set secrets.existingSecret)" }}
{{- end }}
{{- if and .Values.backup.enabled (not .Values.database.backupUrl) }}
{{- fail "database.backupUrl (a role with BYPASSRLS that `kpi backup` dumps with) is required when backup.enabled (or set secrets.existingSecret)" }}
{{- end }}
{{- if and .Values.database.ownerUrl (eq .Values.database.ownerUrl .Values.database.url) }}
{{- fail "database.url must not equal database.ownerUrl: the app must connect as a role that does not own the tables (row-level security)" }}
{{- end }}
{{- end }}
{{- end }}

{{/* Non-secret KPI_* settings as a flat map: rendered into the ConfigMap, and inline into the
     migration Job (a pre-install hook runs before the ConfigMap exists). */}}
{{- define "kpi.configData" -}}
KPI_ENV: {{ .Values.config.env | quote }}
KPI_LOCALE: {{ .Values.config.locale | quote }}
KPI_LOG_FORMAT: {{ .Values.config.logFormat | quote }}
KPI_LOG_LEVEL: {{ .Values.config.logLevel | quote }}
KPI_PROXY_FIX: {{ .Values.config.proxyFix | quote }}
KPI_SESSION_COOKIE_SECURE: {{ .Values.config.sessionCookieSecure | quote }}
KPI_DATABASE_APP_ROLE: {{ .Values.config.databaseAppRole | quote }}
KPI_FORWARDED_ALLOW_IPS: {{ .Values.config.forwardedAllowIps | quote }}
KPI_INSTANCE_DIR: "/var/lib/kpi"
KPI_UPLOAD_DIR: {{ .Values.config.uploadDir | quote }}
{{- range $k, $v := .Values.config.extraEnv }}
{{ $k }}: {{ $v | quote }}
{{- end }}
{{- end }}

{{/* A secret env var; $key is the key inside the Secret. */}}
{{- define "kpi.secretEnv" -}}
- name: {{ .name }}
  valueFrom:
    secretKeyRef:
      name: {{ .secret }}
      key: {{ .key }}
{{- if .optional }}
      optional: true
{{- end }}
{{- end }}

{{/* Environment of long-running containers: ConfigMap + the APP database URL. The owner URL
     is deliberately absent: only the migration Job ever sees it. */}}
{{- define "kpi.appEnv" -}}
{{- $secret := include "kpi.secretName" . -}}
{{- $keys := .Values.secrets.keys -}}
{{ include "kpi.secretEnv" (dict "name" "KPI_SECRET_KEY" "secret" $secret "key" $keys.secretKey) }}
{{ include "kpi.secretEnv" (dict "name" "KPI_DATABASE_URL" "secret" $secret "key" $keys.databaseUrl) }}
{{ include "kpi.secretEnv" (dict "name" "KPI_REDIS_URL" "secret" $secret "key" $keys.redisUrl) }}
{{ include "kpi.secretEnv" (dict "name" "KPI_METRICS_TOKEN" "secret" $secret "key" $keys.metricsToken "optional" true) }}
{{ include "kpi.secretEnv" (dict "name" "KPI_RLS_KEY" "secret" $secret "key" $keys.rlsKey "optional" true) }}
- name: POD_NAME
  valueFrom:
    fieldRef:
      fieldPath: metadata.name
{{- with .Values.extraEnv }}
{{ toYaml . }}
{{- end }}
{{- end }}

{{- define "kpi.envFrom" -}}
- configMapRef:
    name: {{ include "kpi.fullname" . }}
{{- end }}

{{/* Volumes every pod gets: /tmp on emptyDir (read-only root fs) and the uploads volume. */}}
{{- define "kpi.volumes" -}}
- name: tmp
  emptyDir:
    sizeLimit: {{ .Values.tmpSizeLimit }}
- name: data
{{- if .Values.persistence.enabled }}
  persistentVolumeClaim:
    claimName: {{ .Values.persistence.existingClaim | default (printf "%s-uploads" (include "kpi.fullname" .)) }}
{{- else }}
  emptyDir: {}
{{- end }}
{{- end }}

{{- define "kpi.volumeMounts" -}}
- name: tmp
  mountPath: /tmp
- name: data
  mountPath: /var/lib/kpi
{{- end }}

{{/* Pod annotations that roll the pods when configuration or chart-managed secrets change. */}}
{{- define "kpi.checksums" -}}
checksum/config: {{ include "kpi.configData" . | sha256sum }}
{{- if not .Values.secrets.existingSecret }}
checksum/secret: {{ include (print $.Template.BasePath "/secret.yaml") . | sha256sum }}
{{- end }}
{{- end }}

{{/* Egress shared by every pod: DNS, PostgreSQL, Redis (+ Sentinel), and extra rules. */}}
{{- define "kpi.egressRules" -}}
{{- $np := .Values.networkPolicy -}}
# DNS
- ports:
    - port: 53
      protocol: UDP
    - port: 53
      protocol: TCP
# PostgreSQL
- ports:
    - port: {{ $np.databasePort }}
      protocol: TCP
  {{- with $np.databaseTo }}
  to:
    {{- toYaml . | nindent 4 }}
  {{- end }}
# Redis (and Sentinel)
- ports:
    {{- range $np.redisPorts }}
    - port: {{ . }}
      protocol: TCP
    {{- end }}
  {{- with $np.redisTo }}
  to:
    {{- toYaml . | nindent 4 }}
  {{- end }}
{{- with $np.extraEgress }}
{{ toYaml . }}
{{- end }}
{{- end }}
