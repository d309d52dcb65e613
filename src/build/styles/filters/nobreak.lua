--[[
nobreak.lua: no line break where a reader needs two words together (HTML, EPUB and PDF).

Runs in the parse step after citeproc, so the citations as they print ("p. 12" inside the
citation) are covered too. What it ties is data: nobreak-words.json beside this file, chosen
by the primary subtag of the document's `lang` (BCP 47) plus its "any" list. Words are
compared in lower case, without the punctuation around them.

- A locator label and its number: "p. 12", "pp. 20–22", "art. 4", "Article 10", "§ 4",
  "vol. III": the space becomes a no-break space U+00A0 (Unicode UAX #14: class GL). The
  number starts with a digit or is an upper-case roman numeral.
- A date: day and month ("15 June", "June 15"), month and year ("June 2001", "15, 2001"
  after a month), and the language's connectors ("15 de junio de 2001"): no-break spaces.
- A hyphenated alphanumeric token ("S-5", "COVID-19", "G-20") and a number range
  ("20–22", "1996-2001"): a Span of class "nobreak" (CSS `white-space: nowrap` in every
  stylesheet). A span rather than U+2011 NON-BREAKING HYPHEN: the text stays the one the
  author wrote, so it can be searched and copied, and needs no glyph of its own in any
  font. Tokens with "/" or ":" (URLs) and tokens longer than MAX_TOKEN are left alone: they
  must stay free to break.

A second run changes nothing (the ties are already there).
--]]

local MAX_TOKEN = 24 -- characters: a longer token kept whole could overflow the line
local NBSP = "\u{00A0}"

local labels, months, connectors = {}, {}, {}
local capitalised_months = false

local function set_of(list, into)
  for _, word in ipairs(list or {}) do
    into[pandoc.text.lower(word)] = true
  end
end

local function load_words(lang)
  local dir = PANDOC_SCRIPT_FILE:match("^(.*)[/\\]") or "."
  local handle = io.open(dir .. "/nobreak-words.json", "rb")
  if not handle then
    error("nobreak.lua: " .. dir .. "/nobreak-words.json is missing")
  end
  local data = pandoc.json.decode(handle:read("a"), false)
  handle:close()
  local primary = pandoc.text.lower((lang:match("^([%a]+)") or "en"))
  set_of(data.labels.any, labels)
  set_of(data.labels[primary], labels)
  set_of(data.months[primary], months)
  set_of((data.date_connectors or {})[primary], connectors)
  for _, code in ipairs(data.capitalised_months or {}) do
    capitalised_months = capitalised_months or code == primary
  end
end

-- the word as compared: lower case, without brackets, quotes and trailing , ; :
local function bare(word)
  local text = pandoc.text.lower(word or "")
  text = text:gsub("^[%(%[\"'\u{201C}\u{2018}]+", "")
  text = text:gsub("^%a+'", ""):gsub("^%a+\u{2019}", "") -- an elided article: l'art., dell'art.
  return (text:gsub("[%)%]\"'\u{201D}\u{2019},;:]+$", ""))
end

-- the last and the one before last NBSP-separated parts of a Str (earlier ties kept)
local function last_parts(text)
  local parts = {}
  for part in (text .. NBSP):gmatch("(.-)" .. NBSP) do
    table.insert(parts, part)
  end
  return parts[#parts], parts[#parts - 1]
end

local function first_part(text)
  return text:match("^(.-)" .. NBSP) or text
end

local function is_number(word)
  local text = word:gsub("^[%(%[]+", "")
  return text:match("^%d") ~= nil or text:match("^[IVXLCDM]+[%.,;:%)%]]*$") ~= nil
end

local function is_day(word)
  local day = tonumber((bare(word):match("^(%d%d?)[%a%.]*$")))
  return day ~= nil and day >= 1 and day <= 31
end

local function is_year(word)
  return bare(word):match("^%d%d%d%d?[%.%)]*$") ~= nil
end

local function is_month(word)
  local stripped = word:gsub("^[%(%[]+", "")
  if capitalised_months and not stripped:match("^%u") then
    return false
  end
  return months[(bare(word):gsub("%.$", ""))] or months[bare(word)] or false
end

-- whether the space between `before` (a Str's text, maybe holding earlier ties) and `after`
-- (the next Str's text), with `further` the Str after that (or nil), is a tie
local function ties(before, after, further)
  local last, previous = last_parts(before)
  local next_word = first_part(after)
  if labels[bare(last)] and is_number(next_word) then
    return true
  end
  if next(months) == nil then
    return false
  end
  if is_month(last) and (is_day(next_word) or is_year(next_word)) then
    return true -- "June 15", "June 2001"
  end
  if is_day(last) and is_month(next_word) then
    return true -- "15 June"
  end
  if previous and is_month(previous) and is_day(last) and is_year(next_word) then
    return true -- "June 15, 2001"
  end
  if connectors[bare(next_word)] and further then
    local after_connector = first_part(further)
    return (is_day(last) and is_month(after_connector)) or (is_month(last) and is_year(after_connector))
  end
  if connectors[bare(last)] and previous then
    return (is_day(previous) and is_month(next_word)) or (is_month(previous) and is_year(next_word))
  end
  return false
end

local function is_space(el)
  return el and (el.t == "Space" or el.t == "SoftBreak")
end

-- whether a tie is possible at all: each kind has a digit or an upper-case roman numeral in
-- one of its words, so most spaces (between plain words) are passed over at the cost of a find
local function may_tie(before, after, further)
  return before:find("%d") ~= nil
    or after:find("%d") ~= nil
    or (further ~= nil and further:find("%d") ~= nil)
    or after:find("^[%(%[]*[IVXLCDM]") ~= nil
end

-- the inlines with their ties made, or nil when there is none (the list is then left as it
-- is: pandoc need not read it back)
local function tie_spaces(inlines)
  local out = nil -- made at the first tie, with the inlines before it
  local i, n = 1, #inlines
  while i <= n do
    local el = inlines[i]
    local prev = out and out[#out] or inlines[i - 1]
    local after = inlines[i + 1]
    local tied = false
    if is_space(el) and prev and prev.t == "Str" and after and after.t == "Str" then
      local further = inlines[i + 3]
      local further_text = further and further.t == "Str" and further.text or nil
      tied = may_tie(prev.text, after.text, further_text)
        and ties(prev.text, after.text, further_text)
    end
    if tied then
      if not out then
        out = pandoc.Inlines({ table.unpack(inlines, 1, i - 1) })
        prev = out[#out]
      end
      prev.text = prev.text .. NBSP .. after.text
      i = i + 2
    else
      if out then
        out:insert(el)
      end
      i = i + 1
    end
  end
  return out
end

-- "S-5", "COVID-19", "20–22": a letter or digit, a hyphen or en dash, a digit
local function keep_whole(text)
  if not text:find("%d") or text:find("[/:]") or utf8.len(text) == nil then
    return false
  end
  if utf8.len(text) > MAX_TOKEN then
    return false
  end
  return text:find("%w%-%d") ~= nil or text:find("%d\u{2013}%d") ~= nil
end

-- the inlines with such tokens in "nobreak" spans, or nil when there is none
local function wrap_tokens(inlines)
  local out = nil
  for i, el in ipairs(inlines) do
    if el.t == "Str" and keep_whole(el.text) then
      if not out then
        out = pandoc.Inlines({ table.unpack(inlines, 1, i - 1) })
      end
      out:insert(pandoc.Span({ el }, pandoc.Attr("", { "nobreak" })))
    elseif out then
      out:insert(el)
    end
  end
  return out
end

-- ties everywhere (a no-break space is text, safe in the metadata that templates put into
-- attributes); the "nobreak" spans only in the document's blocks, never in the metadata
local in_blocks = {
  Inlines = function(inlines)
    local tied = tie_spaces(inlines)
    return wrap_tokens(tied or inlines) or tied -- nil: unchanged
  end,
  Span = function(span)
    -- already whole: no second span inside; a caption's label ("Table 1") stands on its own
    -- line and is matched as it is written by later stages
    if span.classes:includes("nobreak") or span.classes:includes("caption-label") then
      return span, false
    end
  end,
  traverse = "topdown",
}

return {
  {
    Pandoc = function(doc)
      load_words(doc.meta.lang and pandoc.utils.stringify(doc.meta.lang) or "en")
      doc.meta = pandoc.Pandoc({}, doc.meta):walk({ Inlines = tie_spaces }).meta
      doc.blocks = doc.blocks:walk(in_blocks)
      return doc
    end,
  },
}
