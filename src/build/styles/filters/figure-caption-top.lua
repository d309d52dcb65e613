--[[
figure-caption-top.lua: the figure's number and title ABOVE the image (APA 7 §7.22, §7.24).

pandoc's HTML writers put <figcaption> after the figure's content. For HTML, EPUB and the
print HTML (WeasyPrint), a Figure becomes

    <figure id="fig-x" class="...">      (raw HTML)
    <figcaption>                         (raw HTML)
      caption inlines                    (pandoc inlines: the label Span keeps its id, so the
    </figcaption>                         EPUB writer still rewrites cross-chapter links)
    figure content                       (pandoc blocks: the image, a note)
    </figure>                            (raw HTML)

Runs in the writer step, after epub-anchors.lua (which moves the id onto the label span).
Other formats are left alone.
]]

if not FORMAT:match("html") and not FORMAT:match("epub") then
  return {}
end

local function escape(text)
  return (text:gsub("&", "&amp;"):gsub('"', "&quot;"):gsub("<", "&lt;"):gsub(">", "&gt;"))
end

local function open_tag(attr)
  local parts = { "<figure" }
  if attr.identifier ~= "" then
    table.insert(parts, ' id="' .. escape(attr.identifier) .. '"')
  end
  if #attr.classes > 0 then
    table.insert(parts, ' class="' .. escape(table.concat(attr.classes, " ")) .. '"')
  end
  for key, value in pairs(attr.attributes) do
    table.insert(parts, " " .. escape(key) .. '="' .. escape(value) .. '"')
  end
  table.insert(parts, ">")
  return table.concat(parts)
end

function Figure(fig)
  local blocks = pandoc.Blocks({ pandoc.RawBlock("html", open_tag(fig.attr)) })
  local caption = pandoc.utils.blocks_to_inlines(fig.caption.long)
  if #caption > 0 then
    blocks:insert(pandoc.RawBlock("html", "<figcaption>"))
    blocks:insert(pandoc.Plain(caption))
    blocks:insert(pandoc.RawBlock("html", "</figcaption>"))
  end
  blocks:extend(fig.content)
  blocks:insert(pandoc.RawBlock("html", "</figure>"))
  return blocks
end
