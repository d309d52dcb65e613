--[[
footnotes.lua: pandoc notes -> inline <span class="footnote"> for WeasyPrint.

CSS GCPM 3 (`float: footnote`, as implemented by WeasyPrint) moves an element to the
footnote area of the page where it occurs and leaves a ::footnote-call in its place, so the
note's text must sit inline at its call, not in an end-of-document list.
A note's paragraphs are joined with a line break between them. Each span carries its number
in document order (data-note="1", ...): the print CSS prints it with attr(), because
WeasyPrint's footnote counter also counts the author note, and an own counter incremented on
floated notes does not carry from one note to the next.
]]

local count = 0

function Note(note)
  count = count + 1
  local inlines = pandoc.List()
  for i, block in ipairs(note.content) do
    if i > 1 then
      inlines:insert(pandoc.LineBreak())
    end
    if block.content and pandoc.utils.type(block.content) == "Inlines" then
      inlines:extend(block.content)
    else
      inlines:insert(pandoc.Str(pandoc.utils.stringify(block)))
    end
  end
  return pandoc.Span(inlines, { class = "footnote", ["data-note"] = tostring(count) })
end
