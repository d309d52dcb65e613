--[[
print-typography.lua: hyphenation and page-break hints for the print HTML (WeasyPrint).

WeasyPrint 70 has no `hyphenate-limit-lines`, `hyphenate-limit-last` nor `text-wrap: pretty`;
this filter marks what print.css's typography block needs to do their work with what it has:

- Capitalised words (a first letter that has a lower case, in any script) of at least
  MIN_WORD characters go into a Span of class "nohyphen" (`hyphens: manual`), one span per run
  of such words: personal and proper names are not hyphenated (Chicago Manual of Style 17,
  7.42; Duden: Eigennamen nicht trennen). Without a lexicon a name cannot be told from a
  sentence's first word, which is then not hyphenated either: the cheaper mistake. Shorter
  words are not hyphenated anyway (print.css: `hyphenate-limit-chars`).
- A compound written with a hyphen ("counter-terrorism", "confidence-building") is treated
  the same way: it breaks at its own hyphen only, never a second time inside one of its parts
  ("counter-ter-rorism").
- The last two words of a paragraph or of a plain block (a table cell, a tight list's item),
  when together at most MAX_TAIL characters, are joined by
  a no-break space in a "nohyphen" span: the paragraph's last line never holds a single word
  or the end of a hyphenated one (a "runt", CMOS 17, 2.113).
- A table of at most `short-table-rows` body rows (metadata, default 12) gets the class
  "short-table" (`break-inside: avoid`): it is not split after its first rows when it fits
  on the next page. Longer tables split between rows and repeat their header row.

Runs in the PDF writer step only (defaults/pdf.yaml); a second run changes nothing.
--]]

local MIN_WORD = 6
local MAX_TAIL = 18
local DEFAULT_SHORT_ROWS = 12
local NBSP = "\u{00A0}"

local function first_letter(text)
  local stripped = text:gsub("^[%p\u{201C}\u{2018}]+", "")
  return stripped:match("^[%z\1-\127\194-\244][\128-\191]*") or ""
end

-- a letter (ASCII or any UTF-8 byte of a non-ASCII one), a hyphen, a letter
local COMPOUND = "[%a\128-\255]%-[%a\128-\255]"

-- a word not to be hyphenated: a capitalised word (a name) or a hyphenated compound
local function kept_whole(el)
  if el.t ~= "Str" or #el.text < MIN_WORD then -- bytes: fewer bytes, fewer characters
    return false
  end
  if el.text:find(COMPOUND) then
    return utf8.len(el.text) ~= nil and utf8.len(el.text) >= MIN_WORD -- a hyphenated compound
  end
  local byte = el.text:byte(1)
  if (byte >= 97 and byte <= 122) or (byte >= 48 and byte <= 57) then
    return false -- a-z, 0-9: most words, decided without a call into pandoc.text
  end
  if utf8.len(el.text) == nil or utf8.len(el.text) < MIN_WORD then
    return false
  end
  local letter = first_letter(el.text)
  return letter ~= "" and pandoc.text.lower(letter) ~= letter and pandoc.text.upper(letter) == letter
end

-- a space, or a word too short to be hyphenated anyway (print.css: hyphenate-limit-chars),
-- which a run of names may take in: one span for "Putin and Xi Jinping", fewer boxes to lay out
local function passable(el)
  local t = el.t
  return t == "Space" or t == "SoftBreak" or (t == "Str" and (utf8.len(el.text) or MIN_WORD) < MIN_WORD)
end

local function nohyphen(inlines)
  return pandoc.Span(inlines, pandoc.Attr("", { "nohyphen" }))
end

-- runs of capitalised words (with the spaces and short words between them) into one nohyphen
-- span each, from a capitalised word to a capitalised word; nil when there is none
local function wrap_names(inlines)
  local out, i, n = nil, 1, #inlines
  while i <= n do
    local el = inlines[i]
    if kept_whole(el) then
      local last, j = i, i + 1
      while j <= n do
        if kept_whole(inlines[j]) then
          last = j
        elseif not passable(inlines[j]) then
          break
        end
        j = j + 1
      end
      if not out then
        out = pandoc.Inlines({ table.unpack(inlines, 1, i - 1) })
      end
      local run = pandoc.Inlines({})
      for k = i, last do
        run:insert(inlines[k])
      end
      out:insert(nohyphen(run))
      i = last + 1
    else
      if out then
        out:insert(el)
      end
      i = i + 1
    end
  end
  return out
end

local function is_marked(span)
  return span.classes:includes("nohyphen") or span.classes:includes("nobreak")
    or span.classes:includes("caption-label") -- "Figure 1": on its own line, matched as written
end

-- the paragraph's last two words (Str) before any trailing notes, joined: a new inline list,
-- or nil when they are too long or are not two plain words
local function tie_tail(inlines)
  local last = #inlines
  while last > 0 and inlines[last].t == "Note" do
    last = last - 1
  end
  local word, space, before = inlines[last], inlines[last - 1], inlines[last - 2]
  if not (word and space and before) or space.t ~= "Space" then
    return nil
  end
  if word.t ~= "Str" or before.t ~= "Str" then
    return nil
  end
  local joined = before.text .. NBSP .. word.text
  if utf8.len(joined) == nil or utf8.len(joined) > MAX_TAIL then
    return nil
  end
  local out = pandoc.Inlines({})
  for i = 1, last - 3 do
    out:insert(inlines[i])
  end
  out:insert(nohyphen({ pandoc.Str(joined) }))
  for i = last + 1, #inlines do
    out:insert(inlines[i])
  end
  return out
end

local function tail_tie(block)
  local tied = tie_tail(block.content)
  if tied then
    block.content = tied
    return block
  end
end

local short_rows = DEFAULT_SHORT_ROWS

local function mark_table(tbl)
  local rows = 0
  for _, body in ipairs(tbl.bodies) do
    rows = rows + #body.body
  end
  if rows <= short_rows and not tbl.classes:includes("short-table") then
    tbl.classes:insert("short-table")
    return tbl
  end
end

local names = {
  Inlines = wrap_names,
  Span = function(span)
    if is_marked(span) then
      return span, false
    end
  end,
  traverse = "topdown",
}

-- the document's blocks only: templates put metadata (keywords, the title) into attributes,
-- where a span would be markup
return {
  {
    Pandoc = function(doc)
      local value = doc.meta["short-table-rows"]
      if value ~= nil then
        short_rows = tonumber(pandoc.utils.stringify(value)) or DEFAULT_SHORT_ROWS
      end
      doc.blocks = doc.blocks:walk({
        Para = tail_tie, -- tails first, on the block's own inlines
        Plain = tail_tie,
        Table = mark_table,
      })
      doc.blocks = doc.blocks:walk(names)
      -- the abstract too: the print template shows it in the title block only (its
      -- description-meta is pandoc's plain text of it, so no span reaches an attribute)
      local abstract = doc.meta.abstract
      if abstract ~= nil and (pandoc.utils.type(abstract) == "Blocks" or pandoc.utils.type(abstract) == "Inlines") then
        doc.meta.abstract = abstract:walk(names)
      end
      return doc
    end,
  },
}
