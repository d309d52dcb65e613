--[[
read-each.lua: `pandoc lua read-each.lua` reads a JSON list of Markdown texts on standard input
and writes the JSON list of their pandoc ASTs (pandoc's `markdown+smart` reader, as the render
stage reads the article; no filters, no citeproc), one process for all of them (build.safety: the section files and metadata.yaml of
an article, whose resources are checked before anything else runs). A text pandoc cannot read
gives `{"error": "<pandoc's message>"}` in its place. Reads no file and writes none.
--]]

local texts = pandoc.json.decode(io.read("a"), false)
local out = {}
for i, text in ipairs(texts) do
  local ok, doc = pcall(pandoc.read, text, "markdown+smart")
  if ok then
    out[i] = pandoc.write(doc, "json")
  else
    out[i] = pandoc.json.encode({ error = tostring(doc) })
  end
end
io.write("[", table.concat(out, ","), "]")
