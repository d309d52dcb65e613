-- APA 7 §8.17: in a narrative citation the names of two or more authors are joined by the
-- word "and" ("Okafor and Lindqvist (2018)"), in a parenthetical one by "&"; pandoc's citeproc
-- prints "&" in both (CSL 1.0.2 has no narrative condition). Runs after citeproc, only when the
-- render stage sets `narrative-and: true` (an APA style, build.intext.is_apa_style), so the
-- output of any other style is unchanged. The word is the CSL locale term "and" of the
-- document's language (and-words.json beside this file); for a language not listed there
-- nothing changes.
--
-- Only the join between two names changes: an "&" inside a group author's name (a CSL literal
-- name, braced in refs.bib: {{Johnson & Johnson}}) is part of the name and stays ("Johnson &
-- Johnson (2020)", "Johnson & Johnson and Cole (2020)"). The literal names are read from the
-- cited entries (pandoc.utils.references), once per document and only when a narrative
-- citation prints an "&".
local function load_and_words()
  local dir = PANDOC_SCRIPT_FILE:match("^(.*)[/\\]") or "."
  local handle = io.open(dir .. "/and-words.json", "rb")
  if not handle then
    error("narrative-and.lua: " .. dir .. "/and-words.json is missing")
  end
  local data = pandoc.json.decode(handle:read("a"), false)
  handle:close()
  return data["and"]
end

local NAME_ROLES = { "author", "editor", "translator", "director", "composer", "interviewer" }

--- id -> list of the entry's literal names that contain "&" (filled on first use).
local literals_by_id = nil

local function literal_names(doc)
  if literals_by_id then
    return literals_by_id
  end
  literals_by_id = {}
  for _, ref in ipairs(pandoc.utils.references(doc)) do
    local names = {}
    for _, role in ipairs(NAME_ROLES) do
      for _, name in ipairs(ref[role] or {}) do
        local literal = name.literal and pandoc.utils.stringify(name.literal)
        if literal and literal:find("&", 1, true) then
          table.insert(names, literal)
        end
      end
    end
    literals_by_id[ref.id] = names
  end
  return literals_by_id
end

--- Visit the Str elements of a citation's names (up to the parenthesis of the year) in
--- order; `visit(str, from)` gets each and the offset of its text in the names as printed
--- (a space for each Space or SoftBreak), and returns a replacement or nil.
local function walk_names(content, visit)
  local offset, done = 1, false
  return content:walk({
    traverse = "topdown",
    Str = function(s)
      if done then
        return nil
      end
      if s.text:find("%(") then
        done = true
        return nil
      end
      local from = offset
      offset = offset + #s.text
      return visit(s, from)
    end,
    Space = function()
      offset = offset + 1
    end,
    SoftBreak = function()
      offset = offset + 1
    end,
  })
end

local function narrative_and(cite, word, doc)
  if cite.citations[1].mode ~= "AuthorInText" then
    return nil
  end
  -- the names as printed, each space as one " ": where each literal name with "&" stands
  local text, ampersands, kept = "", false, {}
  walk_names(cite.content, function(s, from)
    text = text .. string.rep(" ", from - 1 - #text) .. s.text
    ampersands = ampersands or s.text == "&"
    return nil
  end)
  if not ampersands then
    return nil
  end
  local literals = literal_names(doc)
  for _, citation in ipairs(cite.citations) do
    for _, name in ipairs(literals[citation.id] or {}) do
      local start = 1
      while true do
        local first, last = text:find(name, start, true)
        if not first then
          break
        end
        kept[#kept + 1] = { first, last }
        start = last + 1
      end
    end
  end
  cite.content = walk_names(cite.content, function(s, from)
    if s.text ~= "&" then
      return nil
    end
    for _, span in ipairs(kept) do
      if from >= span[1] and from <= span[2] then
        return nil -- part of a group author's name
      end
    end
    return pandoc.Str(word)
  end)
  return cite
end

function Pandoc(doc)
  local flag = doc.meta["narrative-and"]
  if flag == nil then
    return nil
  end
  doc.meta["narrative-and"] = nil -- a switch of the build, not the article's metadata
  local lang = pandoc.utils.stringify(doc.meta.lang or "en"):lower():match("^(%a+)")
  local word = load_and_words()[lang or "en"]
  if pandoc.utils.stringify(flag) ~= "true" or not word then
    return doc
  end
  return doc:walk({
    Cite = function(cite)
      return narrative_and(cite, word, doc)
    end,
  })
end
