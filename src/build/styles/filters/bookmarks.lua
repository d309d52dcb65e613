--[[
bookmarks.lua (print HTML, before footnotes.lua): the PDF's bookmarks carry a heading's text
only. WeasyPrint labels a bookmark with the heading's text content (CSS GCPM
`bookmark-label: content(text)`), which includes a footnote's number and, once footnotes.lua
has made the note an inline span, its whole text ("Methods3 A note on..."). Each heading gets
`data-bookmark`, its text without notes, and print.css labels the bookmark with it
(`[data-bookmark] { bookmark-label: attr(data-bookmark) }`).
--]]

function Header(header)
  local text = pandoc.utils.stringify(header.content:walk({
    Note = function() return {} end,
  }))
  header.attributes["data-bookmark"] = text
  return header
end
