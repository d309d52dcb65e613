--[[
epub-anchors.lua: move the id of a table or figure onto the label span of its caption.

pandoc's EPUB writer splits chapters at level-1 headings and rewrites links across chapters
only when they point to headings or spans; a link to a table's or figure's own id stays
"#tbl-x" and EPUBCheck reports RSC-012. The article is parsed once to JSON (where the
writer's FORMAT is "json"), so this runs in the EPUB writer step.

Input: a Table or Figure with an id whose caption holds a Span of class "caption-label"
(crossref.lua writes one). Output: the same element without id, the span carrying it.
Elements without such a span keep their id.
]]

local function move(el)
  if el.identifier == "" then
    return nil
  end
  local id = el.identifier
  local moved = false
  el.caption.long = el.caption.long:walk({
    Span = function(span)
      if not moved and span.classes:includes("caption-label") and span.identifier == "" then
        span.identifier = id
        moved = true
        return span
      end
    end,
  })
  if moved then
    el.identifier = ""
  end
  return el
end

return { { Table = move, Figure = move } }
