const GRADES = ['A', 'B', 'C', 'D'];
const LEVELS = ['1', '2', '3', '4'];

/** The 4×4 grid of fit grade × engagement level, with the candidate's cell filled and the active one outlined. */
export function ScoreGrid({ candidate, active, caption }: { candidate?: string; active?: string; caption: string }) {
  return (
    <figure style={{ margin: 0 }}>
      <table className="score-grid" aria-label={caption}>
        <thead>
          <tr>
            <th scope="col" className="axis">
              <span className="visually-hidden">Grade</span>
            </th>
            {LEVELS.map((level) => (
              <th scope="col" key={level} className="axis">
                {level}
              </th>
            ))}
          </tr>
        </thead>
        <tbody>
          {GRADES.map((grade) => (
            <tr key={grade}>
              <th scope="row" className="axis">
                {grade}
              </th>
              {LEVELS.map((level) => {
                const cell = `${grade}${level}`;
                const classes = ['gcell', cell === candidate ? 'candidate' : '', cell === active ? 'active' : ''].join(' ');
                const what = [cell === candidate ? 'candidate' : '', cell === active ? 'active version' : ''].filter(Boolean).join(' and ');
                return (
                  <td key={cell} className={classes} data-cell={cell}>
                    {cell}
                    {what && <span className="visually-hidden">: {what}</span>}
                  </td>
                );
              })}
            </tr>
          ))}
        </tbody>
      </table>
      <figcaption className="muted small">{caption}</figcaption>
    </figure>
  );
}
