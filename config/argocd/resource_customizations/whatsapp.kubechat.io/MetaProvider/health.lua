-- Argo CD health check for whatsapp.kubechat.io/MetaProvider (whatsapp-operator).
--
-- The operator writes Flux/kstatus conditions (docs/decisions/004-status-semantics.md):
--   Ready        always present once the operator has seen the object;
--   Reconciling  present only while True: work under way, or waiting for
--                something that resolves by itself;
--   Stalled      present only while True: a human must act, the message says what;
--   each condition carries the metadata.generation it was written for, and
--   status.observedGeneration is written only when the object ended Ready or
--   Stalled (so it lags on purpose while the object is in progress).
--
-- Rules, first match wins:
--   1. metadata.deletionTimestamp set        -> Progressing "Pending deletion..."
--                                               (deletion is not suspended)
--   S. spec.suspend is true                  -> Suspended, Ready's message once the
--                                               operator wrote reason Suspended (it says
--                                               what Ready was), else "Suspended by spec.suspend"
--   2. no status, no conditions, no Ready    -> Progressing "Waiting for the operator"
--   3. metadata.generation ahead of what the operator observed: Ready's
--      observedGeneration, or status.observedGeneration when Ready has none or
--      when Ready or Stalled is True (a final state from an older spec)
--                                            -> Progressing "Waiting for the operator to reconcile generation N"
--   4. Stalled=True                          -> Degraded, Stalled's message
--   5. Ready=True                            -> Healthy, Ready's message
--   6. Reconciling=True                      -> Progressing, Reconciling's message
--   7. Ready=False (no Reconciling/Stalled)  -> Degraded, Ready's message
--                                               (a refused edit, an unusual template status)
--   8. Ready=Unknown                         -> Progressing, Ready's message
-- status.observedGeneration is not compared on its own: it would hide what an
-- object in progress waits for (a template in review, a channel waiting for
-- its provider) behind "Waiting for the operator".
-- An empty message falls back to the condition's reason.
-- Suspension follows Flux's own health checks in Argo CD
-- (kustomize.toolkit.fluxcd.io/Kustomization): spec.suspend wins over the
-- conditions, which keep the state the object had when it was suspended.
--
-- Only Lua's base and table libraries are used: argocd-cm scripts run without
-- string, math or io unless resource.customizations.useOpenLibs is set.
-- Edit the three kinds' scripts together, then regenerate
-- config/argocd/argocd-cm-patch.yaml (see config/argocd/README.md).

local hs = {}

local function find(conditions, condType)
  for _, c in ipairs(conditions) do
    if type(c) == "table" and c.type == condType then
      return c
    end
  end
  return nil
end

local function isTrue(c)
  return c ~= nil and c.status == "True"
end

local function text(c)
  if type(c.message) == "string" and c.message ~= "" then
    return c.message
  end
  if type(c.reason) == "string" and c.reason ~= "" then
    return c.reason
  end
  return tostring(c.type) .. " is " .. tostring(c.status)
end

local metadata = obj.metadata
if type(metadata) ~= "table" then
  metadata = {}
end

if metadata.deletionTimestamp ~= nil then
  hs.status = "Progressing"
  hs.message = "Pending deletion"
  if type(metadata.finalizers) == "table" and #metadata.finalizers > 0 then
    hs.message = "Pending deletion; blocked by finalizers: " .. table.concat(metadata.finalizers, ", ")
  end
  return hs
end

local status = obj.status
if type(status) ~= "table" then
  status = {}
end
local conditions = status.conditions
if type(conditions) ~= "table" then
  conditions = {}
end

local ready = find(conditions, "Ready")

if type(obj.spec) == "table" and obj.spec.suspend == true then
  hs.status = "Suspended"
  hs.message = "Suspended by spec.suspend"
  if ready ~= nil and ready.reason == "Suspended" then
    hs.message = text(ready)
  end
  return hs
end

if ready == nil then
  hs.status = "Progressing"
  hs.message = "Waiting for the operator"
  return hs
end
local stalled = find(conditions, "Stalled")
local reconciling = find(conditions, "Reconciling")

local generation = metadata.generation
local function behind(observed)
  return type(generation) == "number" and type(observed) == "number" and observed < generation
end
if behind(ready.observedGeneration) or
    (behind(status.observedGeneration) and
      (type(ready.observedGeneration) ~= "number" or isTrue(ready) or isTrue(stalled))) then
  hs.status = "Progressing"
  hs.message = "Waiting for the operator to reconcile generation " .. tostring(generation)
  return hs
end

if isTrue(stalled) then
  hs.status = "Degraded"
  hs.message = text(stalled)
  return hs
end
if isTrue(ready) then
  hs.status = "Healthy"
  hs.message = text(ready)
  return hs
end
if isTrue(reconciling) then
  hs.status = "Progressing"
  hs.message = text(reconciling)
  return hs
end
if ready.status == "False" then
  hs.status = "Degraded"
  hs.message = text(ready)
  return hs
end
hs.status = "Progressing"
hs.message = text(ready)
return hs
