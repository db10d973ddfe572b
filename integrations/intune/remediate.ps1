# koff-doctor: Intune proactive remediation, remediation script.
# Runs only reversible runbook steps ($SafeSteps) that the findings call for, one
# `koff-doctor.exe repair --step STEP --apply --json` each (the step refuses, changing nothing,
# when a precondition fails: Outlook running, a malicious DLL, too little disk). Prints one line of
# at most 2,048 characters naming each run id (undo with `koff-doctor undo RUN-ID`). Exits 0 when
# every step ran, 1 when one was refused or failed. docs/fleet.md.
# Save as UTF-8 without BOM (required when Intune checks script signatures).
$ErrorActionPreference = 'Stop'
$KoffDoctor = Join-Path $env:ProgramFiles 'koff-doctor\koff-doctor.exe'
# Reversible steps, undone with `koff-doctor undo RUN-ID`; keep in sync with detect.ps1.
$SafeSteps = @('clear-cache', 'reset-cache', 'av-exclusions')
$MaxLine = 2048

function Write-OneLine([string]$Text) {
  $line = ($Text -replace '[\r\n]+', ' ')
  if ($line.Length -gt $MaxLine) { $line = $line.Substring(0, $MaxLine - 3) + '...' }
  Write-Output $line
}

try {
  $report = & $KoffDoctor check --json 2>$null | Out-String | ConvertFrom-Json
} catch {
  Write-OneLine "koff-doctor error: $($_.Exception.Message)"
  exit 1
}
$steps = @($report.findings | Where-Object { $SafeSteps -contains $_.remedy } | ForEach-Object { $_.remedy } | Sort-Object -Unique)
$done = @()
$failed = $false
foreach ($step in $steps) {
  $out = & $KoffDoctor repair --step $step --apply --json 2>$null | Out-String
  # 0: applied; 4: refused (nothing changed); anything else: failed.
  $code = $LASTEXITCODE
  try { $doc = $out | ConvertFrom-Json } catch { $doc = $null }
  if ($code -eq 0 -and $doc.run.header.runId) {
    $done += "$step run=$($doc.run.header.runId)"
  } else {
    $why = if ($doc.refused) { $doc.refused.code } else { "exit $code" }
    $done += "$step refused=$why"
    $failed = $true
  }
}
Write-OneLine "koff-doctor remediation host=$($report.host.id) check-run=$($report.runId) $($done -join '; ')"
if ($failed) { exit 1 }
exit 0
