--[[
screen-scroll.lua: wide tables and figures scroll inside their own box on a narrow screen.

Each table and each figure's content is wrapped in a Div of class "table-scroll" or
"figure-scroll"; article.css gives it `overflow-x: auto` and the table or image a minimum
width, so on a phone a table keeps readable columns and a figure's labels keep their size
(the reader scrolls the box sideways) instead of the whole page squeezing them. The box is a
named, focusable region (role="region", tabindex="0", aria-label: the caption's label, e.g.
"Table 1", else its text): a keyboard can scroll it (WCAG 2.1.1; axe-core rule
scrollable-region-focusable).

Runs in the screen HTML writer step (defaults/html.yaml), before figure-caption-top.lua.
--]]

if not FORMAT:match("html") then
  return {}
end

local MAX_LABEL = 80 -- characters of a caption used as the region's name

local function label_of(caption_blocks)
  local label = nil
  pandoc.Blocks(caption_blocks):walk({
    Span = function(span)
      if label == nil and span.classes:includes("caption-label") then
        label = pandoc.utils.stringify(span)
      end
    end,
  })
  label = label or pandoc.utils.stringify(caption_blocks)
  if utf8.len(label) and utf8.len(label) > MAX_LABEL then
    label = label:sub(1, utf8.offset(label, MAX_LABEL + 1) - 1) .. "…"
  end
  return label
end

local function region(blocks, class, label)
  -- a list of pairs, not a table keyed by name: Lua's key order is not fixed, and the
  -- page's bytes must not change from one run to the next
  local attributes = { { "role", "region" }, { "tabindex", "0" } }
  if label ~= "" then
    table.insert(attributes, { "aria-label", label })
  end
  return pandoc.Div(blocks, pandoc.Attr("", { class }, attributes))
end

local function is_scroll(div)
  return div.classes:includes("table-scroll") or div.classes:includes("figure-scroll")
end

return {
  {
    Div = function(div)
      if is_scroll(div) then
        return div, false -- wrapped already
      end
    end,
    Table = function(tbl)
      return region({ tbl }, "table-scroll", label_of(tbl.caption.long)), false
    end,
    Figure = function(fig)
      fig.content = { region(fig.content, "figure-scroll", label_of(fig.caption.long)) }
      return fig, false
    end,
    traverse = "topdown",
  },
}
