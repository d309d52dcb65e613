--[[
generated.lua: put generated tables and figures where the manuscript has a placeholder.

Input: a Div with class "generated" and an id, alone in its paragraph:

    ::: {#tbl-results .generated}
    :::

Output: the Div (id removed, classes "generated" and "generated-table" or "generated-figure")
holding the blocks of <generated-dir>/<id>.md parsed as pandoc Markdown. That file must hold
the table or figure carrying the same id (e.g. `Table: caption {#tbl-results}`), which keeps
the id, so cross-references resolve. Header cells of generated tables get scope="col"
(WCAG 2.1 technique H63), which pandoc's HTML writer prints as <th scope="col">.

<generated-dir> is the metadata field `generated-dir` (the article's output folder plus
"/generated", set by the render stage; removed from the metadata here), default
"output/generated", relative to the directory pandoc runs in. Run BEFORE --citeproc (citations in cells are then resolved)
and before crossref.lua (which numbers the captions).

Errors (pandoc stops with the message): a placeholder without id, a missing file, a file
without the element of that id.
--]]

local DEFAULT_DIR = "output/generated"

local function read_file(path)
  local handle = io.open(path, "rb")
  if not handle then
    return nil
  end
  local text = handle:read("a")
  handle:close()
  return text
end

local function add_scope(tbl)
  for _, row in ipairs(tbl.head.rows) do
    for _, cell in ipairs(row.cells) do
      cell.attributes.scope = "col"
    end
  end
  return tbl
end

local function has_id(blocks, id)
  local found = false
  pandoc.Blocks(blocks):walk({
    Table = function(t) if t.identifier == id then found = true end end,
    Figure = function(f) if f.identifier == id then found = true end end,
  })
  return found
end

local function expand(div, dir)
  if not div.classes:includes("generated") then
    return nil
  end
  local id = div.identifier
  if id == "" then
    error("generated.lua: a .generated placeholder has no id; write ::: {#tbl-name .generated}")
  end
  local path = dir .. "/" .. id .. ".md"
  local text = read_file(path)
  if text == nil then
    error("generated.lua: " .. path .. " not found for placeholder #" .. id
      .. "; build it first (snakemake " .. path .. ")")
  end
  local blocks = pandoc.read(text, "markdown").blocks
  if not has_id(blocks, id) then
    error("generated.lua: " .. path .. " has no table or figure with id #" .. id)
  end
  blocks = blocks:walk({ Table = add_scope })
  local kind = id:match("^tbl%-") and "generated-table" or "generated-figure"
  return pandoc.Div(blocks, pandoc.Attr("", { "generated", kind }))
end

function Pandoc(doc)
  local dir = DEFAULT_DIR
  if doc.meta["generated-dir"] ~= nil then
    dir = pandoc.utils.stringify(doc.meta["generated-dir"])
    doc.meta["generated-dir"] = nil  -- a build path, not the article's metadata
  end
  return doc:walk({ Div = function(div) return expand(div, dir) end })
end
