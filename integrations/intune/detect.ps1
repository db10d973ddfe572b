# koff-doctor: Intune proactive remediation, detection script.
# Runs `koff-doctor.exe check --json` and exits 1 when a finding has a safe automatic remedy (a
# reversible runbook step, listed in $SafeSteps), so Intune runs remediate.ps1; exits 0 otherwise.
# Prints one line of at most 2,048 characters (Intune keeps one line). A koff-doctor that cannot
# run, or a report that cannot be read, exits 0: never remediate on a guess. docs/fleet.md.
# Save as UTF-8 without BOM (required when Intune checks script signatures).
$ErrorActionPreference = 'Stop'
$KoffDoctor = Join-Path $env:ProgramFiles 'koff-doctor\koff-doctor.exe'
# Reversible steps, undone with `koff-doctor undo RUN-ID`; keep in sync with remediate.ps1.
$SafeSteps = @('clear-cache', 'reset-cache', 'av-exclusions')
$MaxLine = 2048

function Write-OneLine([string]$Text) {
  $line = ($Text -replace '[\r\n]+', ' ')
  if ($line.Length -gt $MaxLine) { $line = $line.Substring(0, $MaxLine - 3) + '...' }
  Write-Output $line
}

try {
  $json = & $KoffDoctor check --json 2>$null | Out-String
  $code = $LASTEXITCODE
  # 0 healthy, 1 warning, 2 error or critical finding; anything else: the check itself failed.
  if ($code -notin 0, 1, 2) { Write-OneLine "koff-doctor error: check exited $code"; exit 0 }
  $report = $json | ConvertFrom-Json
} catch {
  Write-OneLine "koff-doctor error: $($_.Exception.Message)"
  exit 0
}

$fixable = @($report.findings | Where-Object { $SafeSteps -contains $_.remedy })
$ids = ($report.findings | ForEach-Object { $_.id }) -join ','
$summary = "koff-doctor $($report.summary.status) host=$($report.host.id) run=$($report.runId) findings=$ids"
if ($fixable.Count -gt 0) {
  $steps = ($fixable | ForEach-Object { $_.remedy } | Sort-Object -Unique) -join ','
  Write-OneLine "$summary remediate=$steps"
  exit 1
}
Write-OneLine $summary
exit 0
