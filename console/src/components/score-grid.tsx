const GRADES = ['A', 'B', 'C', 'D'];
const LEVELS = ['1', '2', '3', '4'];

/** The 4×4 grid of fit grade × engagement level, with the candidate's cell filled and the active one outlined. */
export function ScoreGrid({ candidate, active, caption }: { candidate?: string; active?: string; caption: string }) {
  return (
    <figure style={{ margin: 0 }}>
      <div className="score-grid" role="table" aria-label={caption}>
        <div role="row" style={{ display: 'contents' }}>
          <span role="columnheader" className="axis" aria-label="Grade" />
          {LEVELS.map((level) => (
            <span role="columnheader" key={level} className="axis">
              {level}
            </span>
          ))}
        </div>
        {GRADES.map((grade) => (
          <div role="row" key={grade} style={{ display: 'contents' }}>
            <span role="rowheader" className="axis">
              {grade}
            </span>
            {LEVELS.map((level) => {
              const cell = `${grade}${level}`;
              const classes = ['gcell', cell === candidate ? 'candidate' : '', cell === active ? 'active' : ''].join(' ');
              const what = [cell === candidate ? 'candidate' : '', cell === active ? 'active version' : ''].filter(Boolean).join(' and ');
              return (
                <span role="cell" key={cell} className={classes} aria-label={what ? `${cell}: ${what}` : cell} data-cell={cell}>
                  {cell}
                </span>
              );
            })}
          </div>
        ))}
      </div>
      <figcaption className="muted small">{caption}</figcaption>
    </figure>
  );
}
