--[[
metadata.lua: structured authors and affiliations for the templates.

Input metadata (manuscript/metadata.yaml, see docs/conventions.md):
  author:       list of {name, affiliation: [id, ...], corresponding: bool}
  affiliations: list of {id, name}
  keywords:     list of inlines
  abstract:     blocks

Output metadata (added or replaced):
  authors:          list of {name, plain-name, marks: [mark, ...], institutions: [text, ...],
                    corresponding: bool}
  affiliation-list: list of {mark, name}; mark = 1-based position in `affiliations`
  author:           plain list of names, so that pandoc's own uses (HTML <meta name="author">,
                    EPUB dc:creator) print names instead of "true"
  subject:          the keywords (EPUB dc:subject)
  description:      the abstract as plain text (EPUB dc:description, HTML description)

Authors given as plain strings pass through unchanged (no marks).
]]

local stringify = pandoc.utils.stringify

function Meta(meta)
  local marks = {}
  local affiliation_list = pandoc.List()
  for i, aff in ipairs(meta.affiliations or {}) do
    local id = aff.id and stringify(aff.id) or tostring(i)
    marks[id] = tostring(i)
    affiliation_list:insert({ mark = tostring(i), id = id, name = aff.name })
  end

  if meta.author then
    local authors = pandoc.List()
    local names = pandoc.List()
    local list = meta.author
    if pandoc.utils.type(list) ~= "List" then
      list = pandoc.List({ list })
    end
    for _, a in ipairs(list) do
      if type(a) == "table" and a.name then
        local author_marks = pandoc.List()
        local affs = a.affiliation or {}
        if pandoc.utils.type(affs) ~= "List" then
          affs = pandoc.List({ affs })
        end
        for _, id in ipairs(affs) do
          author_marks:insert(marks[stringify(id)] or stringify(id))
        end
        local institutions = pandoc.List()
        for _, id in ipairs(affs) do
          for _, aff in ipairs(affiliation_list) do
            if aff.id == stringify(id) then
              institutions:insert(stringify(aff.name))
            end
          end
        end
        authors:insert({
          name = a.name,
          ["plain-name"] = stringify(a.name),
          marks = author_marks,
          institutions = institutions,
          corresponding = a.corresponding == true,
        })
        names:insert(a.name)
      else
        authors:insert({
          name = a,
          ["plain-name"] = stringify(a),
          marks = pandoc.List(),
          institutions = pandoc.List(),
          corresponding = false,
        })
        names:insert(a)
      end
    end
    meta.authors = authors
    meta.author = names
  end

  if #affiliation_list > 0 then
    meta["affiliation-list"] = affiliation_list
  end
  if meta.keywords and not meta.subject then
    meta.subject = meta.keywords
  end
  if meta.abstract and not meta.description then
    meta.description = stringify(meta.abstract)
  end
  return meta
end
