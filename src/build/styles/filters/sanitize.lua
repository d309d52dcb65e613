--[[
sanitize.lua: active content never reaches the outputs (issue 9, docs/conventions.md "Raw HTML").

Runs in the parse layer (defaults/common.yaml) twice: before metadata.lua, so that the
derived author and title fields see clean metadata, and after citeproc, for links made from
refs.bib. The check stage (build.safety) reports, with file and line, what this filter
removes; this filter is the guarantee for anything that reaches pandoc another way.

Body (raw HTML chunks, any format whose name starts with "html" or is "epub"):
  * elements script, iframe, object, embed, frame, frameset, applet, base, meta, link, noscript,
    template and style are dropped (script and style with their content);
  * HTML comments are dropped;
  * event-handler attributes (on*), srcdoc, rel values containing "attachment", and URL
    attributes whose value is a javascript:, vbscript: or data:text/html URL (after decoding
    character references and dropping whitespace) are removed; other tags are re-serialized
    with their remaining attributes quoted.
Body (pandoc elements): a Link to such a URL becomes its text; an Image with such a source is
dropped; on* attributes, srcdoc, rel=attachment and attributes whose value is such a URL are
removed from the attributes of every element that has them (Span, Code, Link, Image, Div,
Header, CodeBlock, Table, Figure; the rows and cells inside a Table are not looked at).

Metadata (title, author names, abstract, keywords, journal, ...): a citation outside the
abstract and nocite is the text written ("@page" in a running head); raw HTML is turned into
text (the writers escape it: `<script>` prints as "<script>"), spans and divs (native
`<span style=...>` markup) keep only their content, links become their text, images their
description, code loses its attributes; emphasis, strong, superscript and subscript stay.

Performance (issue 10): the handlers are typed (RawInline, RawBlock, Link, Image and the
element types with attributes), so pandoc calls Lua only for those elements; generic
Inline/Block handlers were called for every Str and Space of the article and made the two
passes cost about a third of the parse.
]]

local BLOCKED = {
  script = true, iframe = true, object = true, embed = true, frame = true, frameset = true,
  applet = true, base = true, meta = true, link = true, noscript = true, template = true,
  style = true,
}
-- elements whose content is dropped with them (their content is code, not text)
local OPAQUE = { script = true, style = true }

local function is_html(format)
  format = format:lower()
  return format:match("^html") ~= nil or format == "epub" or format:match("^epub") ~= nil
end

-- Decode numeric and a few named character references; used only to judge a value.
local function decode(value)
  value = value:gsub("&#[xX](%x+);?", function(h)
    local n = tonumber(h, 16)
    return n and n < 128 and string.char(n) or ""
  end)
  value = value:gsub("&#(%d+);?", function(d)
    local n = tonumber(d)
    return n and n < 128 and string.char(n) or ""
  end)
  value = value:gsub("&[cC][oO][lL][oO][nN];", ":"):gsub("&[tT][aA][bB];", "")
    :gsub("&[nN][eE][wW][lL][iI][nN][eE];", "")
  return value
end

--- True when a URL would run code or a document when followed or loaded.
local function unsafe_url(value)
  local v = decode(value):gsub("[%s%c]", ""):lower()
  return v:match("^javascript:") ~= nil or v:match("^vbscript:") ~= nil
    or v:match("^data:text/html") ~= nil
end

local function unsafe_attribute(name, value)
  name = name:lower()
  if name:match("^on") or name == "srcdoc" then
    return true
  end
  if name == "rel" and value:lower():match("attachment") then
    return true
  end
  return unsafe_url(value)
end

local function quote(value)
  return '"' .. value:gsub("&", "&amp;"):gsub('"', "&quot;"):gsub("<", "&lt;") .. '"'
end

-- Read the attributes of a tag from position i of s (just after the tag name).
-- Returns the list of {name, value|nil}, whether the tag is self-closing and the position
-- after the closing ">" (or #s + 1 when the tag is not closed).
local function read_attributes(s, i)
  local attrs = {}
  local self_closing = false
  local n = #s
  while i <= n do
    local c = s:sub(i, i)
    if c == ">" then
      return attrs, self_closing, i + 1
    elseif c == "/" then
      self_closing = true
      i = i + 1
    elseif c:match("%s") then
      i = i + 1
    else
      self_closing = false
      local name_end = s:find("[%s/>=]", i) or n + 1
      local name = s:sub(i, name_end - 1)
      i = name_end
      local j = s:find("[^%s]", i) or n + 1
      local value = nil
      if s:sub(j, j) == "=" then
        j = s:find("[^%s]", j + 1) or n + 1
        local q = s:sub(j, j)
        if q == '"' or q == "'" then
          local close = s:find(q, j + 1, true) or n + 1
          value = s:sub(j + 1, close - 1)
          i = close + 1
        else
          local stop = s:find("[%s>]", j) or n + 1
          value = s:sub(j, stop - 1)
          i = stop
        end
      end
      if name ~= "" then
        table.insert(attrs, { name, value })
      else
        i = i + 1
      end
    end
  end
  return attrs, self_closing, n + 1
end

--- Sanitize one chunk of raw HTML; returns the cleaned text.
local function clean_html(s)
  local out = {}
  local i, n = 1, #s
  local skip_until = nil -- name of an opaque element whose content is being dropped
  while i <= n do
    local lt = s:find("<", i, true)
    if not lt then
      if not skip_until then
        table.insert(out, s:sub(i))
      end
      break
    end
    if not skip_until then
      table.insert(out, s:sub(i, lt - 1))
    end
    if s:sub(lt, lt + 3) == "<!--" then
      local close = s:find("-->", lt + 4, true)
      i = close and close + 3 or n + 1
    else
      local closing, name = s:match("^<(/?)([%a][%w:-]*)", lt)
      if not name then
        if not skip_until then
          table.insert(out, "&lt;")
        end
        i = lt + 1
      else
        local lname = name:lower()
        local attrs, self_closing, after = read_attributes(s, lt + 1 + #closing + #name)
        i = after
        if skip_until then
          if closing == "/" and lname == skip_until then
            skip_until = nil
          end
        elseif BLOCKED[lname] then
          if closing == "" and OPAQUE[lname] and not self_closing then
            skip_until = lname
          end
        elseif closing == "/" then
          table.insert(out, "</" .. name .. ">")
        else
          local parts = { "<" .. name }
          for _, attr in ipairs(attrs) do
            local key, value = attr[1], attr[2]
            if not unsafe_attribute(key, value or "") then
              table.insert(parts, value and (key .. "=" .. quote(value)) or key)
            end
          end
          table.insert(out, table.concat(parts, " ") .. (self_closing and " />" or ">"))
        end
      end
    end
  end
  return table.concat(out)
end

local function clean_attr(el)
  if not el.attributes then
    return false
  end
  local changed = false
  local keep = {} -- ordered {key, value} pairs: the attributes keep their order (reproducible)
  for key, value in pairs(el.attributes) do
    if unsafe_attribute(key, value) then
      changed = true
    else
      table.insert(keep, { key, value })
    end
  end
  if changed then
    el.attributes = keep
  end
  return changed
end

-- A raw chunk of HTML cleaned: {} when nothing is left (``blank(text)``), a new element of the
-- same type when something was removed, nil when unchanged or not HTML.
local function clean_raw(el, blank)
  if not is_html(el.format) then
    return nil
  end
  local text = clean_html(el.text)
  if blank(text) then
    return {}
  end
  if text ~= el.text then
    local make = el.t == "RawInline" and pandoc.RawInline or pandoc.RawBlock
    return make(el.format, text)
  end
  return nil
end

local function body_inline(el)
  if el.t == "RawInline" then
    return clean_raw(el, function(text) return text == "" end)
  end
  if el.t == "Link" and unsafe_url(el.target) then
    return el.content
  end
  if el.t == "Image" and unsafe_url(el.src) then
    return {}
  end
  if clean_attr(el) then
    return el
  end
  return nil
end

local function body_block(el)
  if el.t == "RawBlock" then
    return clean_raw(el, function(text) return text:match("^%s*$") ~= nil end)
  end
  if clean_attr(el) then
    return el
  end
  return nil
end

-- The element types (pandoc 3.9) with attributes, besides Link and Image.
local ATTR_INLINES = { "Span", "Code" }
local ATTR_BLOCKS = { "Div", "Header", "CodeBlock", "Table", "Figure" }

-- A filter table: ``handlers`` plus ``inline``/``block`` for the attribute-carrying types.
local function with_attr_types(handlers, inline, block)
  for _, name in ipairs(ATTR_INLINES) do
    handlers[name] = inline
  end
  for _, name in ipairs(ATTR_BLOCKS) do
    handlers[name] = block
  end
  return handlers
end

-- The body: only the element types that can carry something to remove (raw HTML, URLs,
-- attributes); a generic Inline/Block handler would call Lua for every Str and Space.
local body_filter = with_attr_types({
  RawInline = body_inline, Link = body_inline, Image = body_inline, RawBlock = body_block,
}, body_inline, body_block)

-- Metadata: markup is shown as text.
local function meta_attr(el)
  if clean_attr(el) then
    return el
  end
  return nil
end

local meta_filter = {
  RawInline = function(el)
    return pandoc.Str(el.text)
  end,
  RawBlock = function(el)
    return pandoc.Plain({ pandoc.Str(el.text) })
  end,
  Link = function(el)
    if unsafe_url(el.target) then
      return el.content
    end
    clean_attr(el)
    return el
  end,
  Image = function(el)
    return el.caption
  end,
}
with_attr_types(meta_filter, meta_attr, meta_attr)
-- Metadata is text with a strict whitelist of inline markup: pandoc's own emphasis, strong,
-- superscript, subscript, small caps (elements without attributes) stay; a Span or Div keeps
-- only its content (no class, no style: `<span style="position:fixed">` in a title would
-- cover every page), a link only its text (the only links of the title block are those the
-- templates make from typed fields: DOI, ORCID, licence), code loses its attributes.
meta_filter.Span = function(el)
  return el.content
end
meta_filter.Div = function(el)
  return el.content
end
meta_filter.Link = function(el)
  return el.content
end
meta_filter.Code = function(el)
  el.attr = pandoc.Attr()
  return el
end

local function clean_meta(value)
  local kind = pandoc.utils.type(value)
  if kind == "Inlines" then
    local raw = false
    value:walk({ RawInline = function() raw = true end })
    if raw then -- pandoc put line breaks around the raw HTML: it was one line of text
      value = value:walk({ LineBreak = function() return pandoc.Space() end })
    end
    return value:walk(meta_filter)
  elseif kind == "Blocks" then
    local blocks = value:walk(meta_filter)
    -- "text <script>..</script> text" parses as blocks around a raw block: as one line of
    -- text again, so that it reads as it was written
    local inlines = pandoc.Inlines({})
    for i, block in ipairs(blocks) do
      if block.t ~= "Plain" and block.t ~= "Para" then
        return blocks
      end
      if i > 1 then
        inlines:insert(pandoc.Space())
      end
      inlines:extend(block.content)
    end
    return inlines
  elseif kind == "List" then
    return value:map(clean_meta)
  elseif kind == "table" then
    local result = {}
    for k, v in pairs(value) do
      result[k] = clean_meta(v)
    end
    return result
  end
  return value
end

-- Metadata fields whose citations are citations; in every other field (title, subtitle,
-- running head, authors, keywords, ...) what pandoc read as a citation is the text written.
CITING_META = { abstract = true, nocite = true }

-- Walk a metadata value (Inlines, Blocks, a list or a map of them) with a filter.
function walk_meta(value, filter)
  local kind = pandoc.utils.type(value)
  if kind == "Inlines" or kind == "Blocks" then
    return value:walk(filter)
  elseif kind == "List" then
    return value:map(function(item) return walk_meta(item, filter) end)
  elseif kind == "table" then
    local result = {}
    for k, v in pairs(value) do
      result[k] = walk_meta(v, filter)
    end
    return result
  end
  return value
end

-- Metadata first, then the body (Meta runs before Pandoc within one filter). The body is
-- walked through doc.blocks so that its handlers never see the metadata: a top-level typed
-- filter would also walk the metadata, before Meta (pandoc runs Inline, Block, Meta, Pandoc).
return {
  {
    Meta = function(meta)
      for key, value in pairs(meta) do
        if not CITING_META[key] then -- "@page" in a running head is text, not a citation
          value = walk_meta(value, { Cite = function(el) return el.content end })
        end
        meta[key] = clean_meta(value)
      end
      return meta
    end,
    Pandoc = function(doc)
      doc.blocks = doc.blocks:walk(body_filter)
      return doc
    end,
  },
}
