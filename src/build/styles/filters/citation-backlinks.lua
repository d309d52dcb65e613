--[[
citation-backlinks.lua: link each reference back to its first citation.

Runs in the writer step (HTML, EPUB), on the AST that citeproc has resolved: every Cite holds
its rendered text, whose links point to the entries (#ref-<key>, link-citations: true).

* The first Cite (in document order, footnotes included) that cites a key is wrapped in
  <span id="cite-N">, N = 1, 2, ... over the wrapped Cites.
* The reference entry Div#ref-<key> (class csl-entry) of a cited key gets, at the end of its
  last paragraph, a back-link

      <a href="#cite-N" class="ref-backlink" role="doc-backlink"
         aria-label="Back to the first citation">↩︎</a>

  (DPUB-ARIA 1.0 doc-backlink; the same sign as pandoc's footnote back-links). The
  aria-label is the metadata's `backlink-title` (the article's language: build.labels),
  English without one.
* Entries printed only through `nocite` (never cited) get no back-link.

Cross-references (@tbl-, @fig-, @sec-) are links by now (crossref.lua), not Cites.
]]

local first_citation = {} -- key -> span id of its first citation

local function mark_citations(doc)
  local count = 0
  -- the blocks only: the metadata's `nocite: "@*"` is a Cite too
  doc.blocks = doc.blocks:walk({
    Cite = function(cite)
      local new = false
      for _, c in ipairs(cite.citations) do
        if first_citation[c.id] == nil then
          new = true
        end
      end
      if not new then
        return nil
      end
      count = count + 1
      local id = "cite-" .. count
      for _, c in ipairs(cite.citations) do
        if first_citation[c.id] == nil then
          first_citation[c.id] = id
        end
      end
      return pandoc.Span({ cite }, pandoc.Attr(id))
    end,
  })
  return doc
end

local DEFAULT_LABEL = "Back to the first citation"
local label = DEFAULT_LABEL

local function backlink(target)
  return pandoc.Link(
    { pandoc.Str("↩︎") },
    "#" .. target,
    "",
    -- attributes as a list of pairs: a Lua table's key order is not fixed (reproducible output)
    pandoc.Attr("", { "ref-backlink" }, {
      { "role", "doc-backlink" },
      { "aria-label", label },
    })
  )
end

local function add_backlinks(doc)
  return doc:walk({
    Div = function(div)
      local key = div.identifier:match("^ref%-(.+)$")
      if not key or not div.classes:includes("csl-entry") or first_citation[key] == nil then
        return nil
      end
      local last = div.content[#div.content]
      if last and (last.t == "Para" or last.t == "Plain") then
        last.content:insert(pandoc.Space())
        last.content:insert(backlink(first_citation[key]))
      else
        div.content:insert(pandoc.Plain({ backlink(first_citation[key]) }))
      end
      return div
    end,
  })
end

function Pandoc(doc)
  first_citation = {}
  local title = doc.meta["backlink-title"]
  label = title and pandoc.utils.stringify(title) or DEFAULT_LABEL
  if label == "" then
    label = DEFAULT_LABEL
  end
  return add_backlinks(mark_citations(doc))
end
