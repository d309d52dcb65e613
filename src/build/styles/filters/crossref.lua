--[[
crossref.lua: number tables and figures and resolve cross-references.

Numbering (APA 7 §7.10 and §7.24): tables and figures are numbered separately, in document
order, from 1. Each caption becomes

    <span class="caption-label"><strong>Table 1</strong></span><br/>
    <span class="caption-title"><em>title</em></span>

(the label bold on its own line, the title in italics).

Cross-references are written with pandoc citation syntax and an id prefix; they are not
citekeys:

    @tbl-results        -> link "Table 1"      (target #tbl-results)
    [see @fig-timeline] -> "(see Figure 1)"    with "Figure 1" a link
    @sec-slug           -> link with the heading's text

Other citations are left for --citeproc, so this filter runs BEFORE --citeproc (and after
generated.lua, which brings in the generated tables and figures).

EPUB: pandoc splits chapters at level-1 headings and rewrites cross-chapter links only to
headings and spans (EPUBCheck RSC-012 otherwise), so for epub output the id moves from the
table or figure to the label span of its caption.

The words "Table" and "Figure" are the metadata's `table-label` and `figure-label` (the
article's language: build.labels, lexicon/labels.yaml), English without them.

Errors (pandoc stops): a cross-reference to an id that no table, figure or heading has;
a table or figure id used twice.
--]]

local PREFIXES = { tbl = "Table", fig = "Figure", sec = "Section" }
local targets = {}   -- id -> list of inlines for the link text
local DEFAULT_NAMES = { Table = "Table", Figure = "Figure" }
local names = DEFAULT_NAMES  -- element type -> the word of its label, in the article's language

local function label_inlines(name, number)
  return { pandoc.Str(name), pandoc.Space(), pandoc.Str(tostring(number)) }
end

local function new_caption(caption, name, number, anchor)
  local title = pandoc.utils.blocks_to_inlines(caption.long)
  local label = pandoc.Span({ pandoc.Strong(label_inlines(name, number)) },
    pandoc.Attr(anchor or "", { "caption-label" }))
  local inlines = { label }
  if #title > 0 then
    table.insert(inlines, pandoc.LineBreak())
    table.insert(inlines, pandoc.Span({ pandoc.Emph(title) }, pandoc.Attr("", { "caption-title" })))
  end
  caption.long = { pandoc.Plain(inlines) }
  return caption
end

local function register(id, name, number)
  if id == "" then return end
  if targets[id] ~= nil then
    error("crossref.lua: the id #" .. id .. " is used twice")
  end
  targets[id] = label_inlines(name, number)
end

local function number_floats(doc)
  local counts = { Table = 0, Figure = 0 }
  local epub = FORMAT:match("epub") ~= nil
  local function number(el, name)
    counts[name] = counts[name] + 1
    local id = el.identifier
    local word = names[name]
    register(id, word, counts[name])
    local anchor = nil
    if epub and id ~= "" then
      anchor = id
      el.identifier = ""
    end
    el.caption = new_caption(el.caption, word, counts[name], anchor)
    return el
  end
  return doc:walk({
    traverse = "topdown",
    Table = function(t) return number(t, "Table") end,
    Figure = function(f) return number(f, "Figure") end,
    Header = function(h)
      if h.identifier:match("^sec%-") then
        if targets[h.identifier] ~= nil then
          error("crossref.lua: the id #" .. h.identifier .. " is used twice")
        end
        targets[h.identifier] = h.content
      end
      return nil
    end,
  })
end

local function is_crossref(id)
  local prefix = id:match("^(%a+)%-")
  return prefix ~= nil and PREFIXES[prefix] ~= nil
end

local function resolve(cite)
  local first = cite.citations[1]
  if not is_crossref(first.id) then
    return nil
  end
  local out = pandoc.Inlines({})
  for i, c in ipairs(cite.citations) do
    if not is_crossref(c.id) then
      error("crossref.lua: @" .. c.id .. " is mixed with cross-references in one citation;"
        .. " write citations and cross-references in separate brackets")
    end
    local text = targets[c.id]
    if text == nil then
      error("crossref.lua: no table, figure or heading has the id #" .. c.id
        .. " (cross-reference @" .. c.id .. ")")
    end
    if i > 1 then
      out:insert(pandoc.Str(";"))
      out:insert(pandoc.Space())
    end
    if #c.prefix > 0 then
      out:extend(c.prefix)
      out:insert(pandoc.Space())
    end
    out:insert(pandoc.Link(text, "#" .. c.id, "", pandoc.Attr("", { "crossref" })))
    out:extend(c.suffix)
  end
  if first.mode ~= "AuthorInText" then
    out:insert(1, pandoc.Str("("))
    out:insert(pandoc.Str(")"))
  end
  return out
end

local function label_names(meta)
  local result = {}
  for kind, default in pairs(DEFAULT_NAMES) do
    local value = meta[kind:lower() .. "-label"]
    local text = value and pandoc.utils.stringify(value) or ""
    result[kind] = text ~= "" and text or default
  end
  return result
end

function Pandoc(doc)
  targets = {}
  names = label_names(doc.meta)
  doc = number_floats(doc)
  return doc:walk({ Cite = resolve })
end
