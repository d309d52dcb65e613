--[[
narrative-capital.lua: a narrative citation that starts a sentence starts with a capital
(HTML, EPUB and PDF alike: it runs in the parse step, after citeproc and narrative-and.lua).

APA 7 (§6.17 and its guidance on name particles): a particle is written as its bearer writes
it ("as van Berg and Cole (2014) show"), and capitalised as a sentence's first word ("Van Berg
and Cole (2014) show"); the same holds in the other languages the build prints. pandoc's
citeproc (3.9) prints the particle as written wherever the citation stands, except, through
`--citeproc` alone, sometimes for the document's first citation (measured: "Van Berg & Cole
(2014) show." first, "de Vries (2019) says." at a later paragraph's start); CSL 1.0.2 does not
know where a sentence starts. This filter decides, for every style:

- A citation in narrative form (pandoc's AuthorInText: `@key`) starts a sentence when it is
  the first inline of a paragraph, a plain block (a table cell, a list item), a heading or a
  footnote's paragraph, or when the text before it ends in ".", "!" or "?" (closing quotes
  and brackets after it allowed; a footnote mark in between does not count). An
  abbreviation ("e.g.", "cf.", "p.": NO_END) or an initial ("J.") ends no sentence.
- Its first letter is made upper case when the cited entry's first name has a particle in
  lower case (CSL "non-dropping-particle", as the cleaned copy's `useprefix=true` gives, or
  a family name starting with a lower-case word) and the citation prints that particle first.
  A name its bearer writes wholly in lower case ("bell hooks": no particle) stays as written,
  and so does a parenthetical citation ("(van Berg & Cole, 2014)").

- A citation that is the first inline of emphasis, strong emphasis, quotation marks (pandoc's
  Quoted, or a typed opening mark or bracket such as “ or "(" alone before it), small caps, an
  underline or a span standing at a sentence start starts that sentence too
  (`*@vanberg2014 show*`, `"@vanberg2014 show"`: "*Van Berg and Cole (2014) show*").

The particles are read from the cited entries (pandoc.utils.references), once per document
and only when such a citation starts with a lower-case letter. The blocks are walked once: the
first inline level of a block, and the first inline of a wrapper there (recase_wrapped); a
citation later inside emphasis is left as printed. A second run changes nothing.
--]]

local NO_END = {}
for word in ([[e.g. i.e. cf. vs. viz. al. p. pp. ch. chap. sec. para. no. nos. vol. vols. ed.
  eds. fig. figs. tab. ca. c. approx. art. arts. n. nn. mr. mrs. ms. dr. prof. st. resp.
  z.b. bzw. vgl. s. d.h. u.a.]]):gmatch("%S+") do
  NO_END[word] = true
end

--- What may follow a sentence's last punctuation mark: closing quotes and brackets.
local CLOSERS = { '"', "'", "”", "’", "»", "›", ")", "]" }

local function strip_closers(text)
  local again = true
  while again do
    again = false
    for _, closer in ipairs(CLOSERS) do
      if #text > #closer and text:sub(-#closer) == closer then
        text, again = text:sub(1, -#closer - 1), true
      end
    end
  end
  return text
end

--- True when a text (the last word before a citation) ends a sentence.
local function ends_sentence(text)
  local bare = strip_closers(text)
  if not bare:find("[.!?]$") then
    return false
  end
  if bare:find("[!?]$") then
    return true
  end
  local word = bare:match("(%S+)$") or bare
  for _, opener in ipairs({ '"', "“", "‘", "«", "‹", "(", "[" }) do
    if word:sub(1, #opener) == opener then
      word = word:sub(#opener + 1)
    end
  end
  if NO_END[pandoc.text.lower(word)] then
    return false
  end
  if pandoc.text.len(word) == 2 and pandoc.text.upper(word) == word then
    return false -- an initial: "A."
  end
  return true
end

--- The first Str of a citation's content (inside its link, if any).
local function first_str(content)
  local first = nil
  content:walk({
    traverse = "topdown",
    Str = function(s)
      first = first or s
    end,
  })
  return first
end

--- The particles written in lower case of an entry's first name (a CSL
--- "non-dropping-particle" or the lower-case start of a family name), by id; from the
--- cited entries, read once.
local particles_by_id = nil

local function particles(doc)
  if particles_by_id then
    return particles_by_id
  end
  particles_by_id = {}
  for _, ref in ipairs(pandoc.utils.references(doc)) do
    local name = (ref.author or ref.editor or {})[1]
    if name then
      local particle = name["non-dropping-particle"] and
        pandoc.utils.stringify(name["non-dropping-particle"])
      if particle == nil and name.family then
        local family = pandoc.utils.stringify(name.family)
        particle = family:match("^(%l+)%s") or family:match("^(%l+)'") or family:match("^(%l+)’")
      end
      if particle and particle:find("^%l") then
        particles_by_id[ref.id] = particle
      end
    end
  end
  return particles_by_id
end

local function upper_first(text)
  return pandoc.text.upper(pandoc.text.sub(text, 1, 1)) .. pandoc.text.sub(text, 2)
end

--- Capitalise the particle of a narrative citation that starts a sentence. Returns the
--- citation, or nil when nothing changes (a capital already, no particle in lower case, or
--- its particle not printed first).
local function capitalise(cite, doc)
  local first = first_str(cite.content)
  if not first then
    return nil
  end
  local initial = pandoc.text.sub(first.text, 1, 1)
  if initial == pandoc.text.upper(initial) then
    return nil -- already a capital (or no letter): nothing to look up
  end
  local particle = particles(doc)[cite.citations[1].id]
  if not particle then
    return nil -- no particle: a name its bearer writes in lower case ("bell hooks") stays
  end
  local head = particle:match("^[^%s'’]+")
  local rest = first.text:sub(#head + 1)
  if first.text:sub(1, #head) ~= head or not (rest == "" or rest:find("^['’]")) then
    return nil -- the particle is not what prints first
  end
  local done = false
  cite.content = cite.content:walk({
    traverse = "topdown",
    Str = function(s)
      if done then
        return nil
      end
      done = true
      return pandoc.Str(upper_first(s.text))
    end,
  })
  return cite
end

--- Inlines that print nothing of their own before their content (Quoted prints its marks
--- outside it): a citation first in them stands where they stand.
local WRAPPERS = {
  Emph = true, Strong = true, Quoted = true, SmallCaps = true, Underline = true, Span = true,
}
--- A Str of one typed opening mark or bracket, after which a sentence still starts.
local OPENERS = { ['"'] = true, ["'"] = true, ["“"] = true, ["‘"] = true, ["«"] = true,
  ["‹"] = true, ["„"] = true, ["("] = true, ["["] = true }

--- Capitalise a narrative citation that is the first inline of a wrapper (WRAPPERS) standing
--- at a sentence start, or of a wrapper first in it (`*"@key show"*`), after a typed opening
--- mark (OPENERS) too. Changes `el` in place; returns true when it changed.
local function recase_wrapped(el, doc)
  local content = el.content
  local index = (content[1] and content[1].t == "Str" and OPENERS[content[1].text]) and 2 or 1
  local first = content[index]
  if not first then
    return false
  end
  if first.t == "Cite" and first.citations[1].mode == "AuthorInText" then
    local new = capitalise(first, doc)
    if not new then
      return false
    end
    content[index] = new
  elseif not (WRAPPERS[first.t] and recase_wrapped(first, doc)) then
    return false
  else
    content[index] = first
  end
  el.content = content
  return true
end

-- whether a sentence starts at inlines[i]: looked back at only where a citation needs it (most
-- inlines are never looked at). Spaces, line breaks and footnote marks keep what came before; a
-- typed opening mark or bracket alone (OPENERS) keeps the sentence start before it; "@a @b":
-- the second citation does not start one.
local function sentence_start_at(inlines, i)
  local j = i - 1
  while j >= 1 do
    local t = inlines[j].t
    if t ~= "Space" and t ~= "SoftBreak" and t ~= "LineBreak" and t ~= "Note" then
      break
    end
    j = j - 1
  end
  if j < 1 then
    return true
  end
  local before = inlines[j]
  local t = before.t
  if t == "Cite" and before.citations[1].mode == "AuthorInText" then
    return false
  end
  if t == "Str" then
    if OPENERS[before.text] then
      return sentence_start_at(inlines, j)
    end
    return ends_sentence(before.text)
  end
  return ends_sentence(pandoc.utils.stringify(before))
end

local function recase_inlines(inlines, doc)
  local changed = false
  for i, el in ipairs(inlines) do
    local t = el.t
    if t == "Cite" and el.citations[1].mode == "AuthorInText" then
      local new = sentence_start_at(inlines, i) and capitalise(el, doc)
      if new then
        inlines[i], changed = new, true
      end
    elseif WRAPPERS[t] and sentence_start_at(inlines, i) and recase_wrapped(el, doc) then
      inlines[i], changed = el, true
    end
  end
  return changed and inlines or nil
end

local current_doc = nil

local function block(el)
  local inlines = recase_inlines(el.content, current_doc)
  if inlines then
    el.content = inlines
    return el
  end
end

function Pandoc(doc)
  current_doc = doc
  return doc:walk({ Para = block, Plain = block, Header = block })
end
